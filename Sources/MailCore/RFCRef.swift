/// A pointer into a standard, printed next to findings and protocol errors
/// (for example `RFC 7208 §4.6.4`).
public struct RFCRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public let number: Int
    public let section: String?

    public init(_ number: Int, _ section: String? = nil) {
        self.number = number
        self.section = section
    }

    public var description: String {
        if let section { return "RFC \(number) §\(section)" }
        return "RFC \(number)"
    }

    public var url: String {
        var u = "https://www.rfc-editor.org/rfc/rfc\(number)"
        if let section { u += "#section-\(section)" }
        return u
    }
}
