import DNSWire
import Foundation

/// Which servers to ask and how patiently: from `/etc/resolv.conf` (resolv.conf(5): `nameserver`,
/// `options timeout:N attempts:N rotate`) or given explicitly (`--resolver HOST[:PORT]`).
public struct ResolverConfiguration: Sendable, Hashable {
    public var servers: [DNSServerAddress]
    /// Time to wait for one server on one try.
    public var timeout: Duration
    /// Rounds over all servers (resolv.conf `attempts`).
    public var attempts: Int
    /// Start each query at the next server in turn (resolv.conf `rotate`).
    public var rotate: Bool
    /// Where the servers came from, for reports ("/etc/resolv.conf", "--resolver").
    public var source: String

    public init(servers: [DNSServerAddress], timeout: Duration = .seconds(5), attempts: Int = 2,
                rotate: Bool = false, source: String = "explicit") {
        self.servers = servers
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.rotate = rotate
        self.source = source
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let line: Int
        public let message: String
        public var description: String { "resolv.conf line \(line): \(message)" }
    }

    /// Parses resolv.conf text. Unknown keywords and options are ignored as glibc ignores them;
    /// a `nameserver` that is not an IP address is an error (glibc skips it silently, which hides
    /// the mistake). With no `nameserver`, the servers list is empty: the caller says so.
    public static func parse(resolvConf text: String, source: String = "/etc/resolv.conf") throws(ParseError) -> ResolverConfiguration {
        var servers: [DNSServerAddress] = []
        var timeout = 5, attempts = 2, rotate = false
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(where: { $0 == "#" || $0 == ";" }) { line = line[..<hash] }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let keyword = words.first else { continue }
            switch keyword {
            case "nameserver":
                guard words.count >= 2 else { throw ParseError(line: i + 1, message: "nameserver without an address") }
                guard let ip = IPAddress(String(words[1])) else {
                    throw ParseError(line: i + 1, message: "nameserver '\(words[1])' is not an IP address")
                }
                servers.append(DNSServerAddress(ip))
            case "options":
                for opt in words.dropFirst() {
                    if opt.hasPrefix("timeout:"), let n = Int(opt.dropFirst(8)) { timeout = min(max(n, 1), 30) }
                    else if opt.hasPrefix("attempts:"), let n = Int(opt.dropFirst(9)) { attempts = min(max(n, 1), 5) }
                    else if opt == "rotate" { rotate = true }
                }
            default:
                continue
            }
        }
        return ResolverConfiguration(servers: servers, timeout: .seconds(timeout), attempts: attempts, rotate: rotate, source: source)
    }

    /// Reads `/etc/resolv.conf` (or `path`).
    public static func system(path: String = "/etc/resolv.conf") throws -> ResolverConfiguration {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try parse(resolvConf: text, source: path)
    }
}
