import DNSWire
import MailCore

/// `LABEL=HOST[:PORT]` for `mxray split --view`: a name for the view and the resolver to ask
/// (`inside=10.0.0.53`, `outside=[2001:db8::53]:53`).
public struct ViewSpec: Sendable, Hashable {
    public var label: String
    public var server: DNSServerAddress

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public init(label: String, server: DNSServerAddress) {
        self.label = label
        self.server = server
    }

    public static func parse(_ text: String) throws(ParseError) -> ViewSpec {
        guard text.utf8.count <= 200, let eq = text.firstIndex(of: "=") else {
            throw ParseError(message: "--view '\(text.prefix(60))' is not LABEL=RESOLVER (e.g. inside=10.0.0.53)")
        }
        let label = String(text[..<eq])
        let value = String(text[text.index(after: eq)...])
        guard !label.isEmpty, label.count <= 32, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ParseError(message: "view label '\(label.prefix(40))' must be 1–32 letters, digits, '-' or '_'")
        }
        guard let server = DNSServerAddress(parsing: value) else {
            throw ParseError(message: "--view \(label): '\(value.prefix(60))' is not HOST[:PORT] with an IP address")
        }
        return ViewSpec(label: label, server: server)
    }
}
