import DNSWire
import MailCore

/// `HOST[:PORT]` as `mxray path` takes it: a name, an IPv4 address, or an IPv6 address in
/// brackets (`[2001:db8::1]:25`; a bare IPv6 address has no port). Port 25 unless given.
public struct PathTarget: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Set when `host` is an IP address literal.
    public var address: IPAddress?

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public init(host: String, port: Int, address: IPAddress?) {
        self.host = host
        self.port = port
        self.address = address
    }

    public static func parse(_ text: String, defaultPort: Int = 25) throws(ParseError) -> PathTarget {
        guard !text.isEmpty, text.utf8.count <= 300 else { throw ParseError(message: "give HOST or HOST:PORT") }
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw ParseError(message: "'\(text)': missing ']' after the IPv6 address") }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw ParseError(message: "'\(text)': expected ':PORT' after ']'") }
                portText = rest.dropFirst()
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        var port = defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { throw ParseError(message: "'\(portText)' is not a port (1–65535)") }
            port = p
        }
        let h = String(host)
        if let ip = IPAddress(h) { return PathTarget(host: ip.description, port: port, address: ip) }
        do { _ = try DomainName(h) } catch { throw ParseError(message: "'\(h)' is neither an IP address nor a host name: \(error)") }
        return PathTarget(host: h, port: port, address: nil)
    }
}
