import Foundation
import NIOCore
import Probes
import Wiring

/// `targets[].roundtrip:` — a scheduled round trip (issue 10): submit a message with a unique
/// token, then watch the mailbox over IMAP until it arrives (`RoundtripProbe`, as `mxray
/// roundtrip`). It runs at the target's interval next to the target's domain/host check.
/// The password is never in the file: `password_env` names the environment variable holding it.
public struct RoundtripConfig: Sendable, Equatable {
    /// Submission server (RFC 6409) as an IP address and port (`127.0.20.3:587`).
    public var submissionAddress: String
    public var submissionPort: Int
    public var submissionTLS: SendTLSMode
    /// IMAP server address and port (default: the submission address, port 143).
    public var imapAddress: String
    public var imapPort: Int
    public var imapTLS: SendTLSMode
    /// Name for SNI and certificate checks on both connections (`tls_name`).
    public var tlsName: String?
    public var user: String
    /// The environment variable holding the password (read at each run).
    public var passwordEnv: String
    public var from: String
    public var to: String
    /// How long to wait for the message after submission accepted it.
    public var timeout: Duration
    public var pollInterval: Duration

    /// The probe request, with the password read from the environment now.
    func request() throws -> RoundtripRequest {
        guard let password = ProcessInfo.processInfo.environment[passwordEnv], !password.isEmpty else {
            throw ServeConfigError("roundtrip.password_env: the environment variable \(passwordEnv) is not set")
        }
        var r = RoundtripRequest(submissionAddress: submissionAddress, imapAddress: imapAddress, host: tlsName,
                                 user: user, password: password, from: from, to: to)
        r.submissionPort = submissionPort
        r.submissionTLS = submissionTLS
        r.imapPort = imapPort
        r.imapTLS = imapTLS
        r.arrivalTimeout = timeAmount(timeout)
        r.pollInterval = timeAmount(pollInterval)
        return r
    }
}

extension ServeConfig {
    static func parseRoundtrip(_ r: YAMLReader) throws -> RoundtripConfig? {
        guard !r.map.isEmpty else { return nil }
        try r.onlyKeys(["submission", "imap", "submission_tls", "imap_tls", "tls_name", "user", "password_env",
                        "from", "to", "timeout", "poll"])
        guard let submission = try r.string("submission") else { throw ServeConfigError("\(r.at("submission")): required (ADDRESS:PORT)") }
        let (subAddress, subPort) = try endpoint(submission, key: r.at("submission"), defaultPort: 587)
        let (boxAddress, boxPort) = try r.string("imap").map { try endpoint($0, key: r.at("imap"), defaultPort: 143) } ?? (subAddress, 143)
        func tls(_ key: String, port: Int, implicitPort: Int) throws -> SendTLSMode {
            guard let s = try r.string(key) else { return port == implicitPort ? .implicit : .starttls }
            guard let m = SendTLSMode(rawValue: s) else { throw ServeConfigError("\(r.at(key)): '\(s)' is not starttls, implicit or none") }
            return m
        }
        guard let user = try r.string("user"), !user.isEmpty else { throw ServeConfigError("\(r.at("user")): required") }
        guard let env = try r.string("password_env"), !env.isEmpty else {
            throw ServeConfigError("\(r.at("password_env")): required (the name of the environment variable holding the password)")
        }
        guard let value = ProcessInfo.processInfo.environment[env], !value.isEmpty else {
            throw ServeConfigError("\(r.at("password_env")): the environment variable \(env) is not set (or empty)")
        }
        let timeout = try r.duration("timeout") ?? .seconds(60)
        guard timeout <= .seconds(3600) else { throw ServeConfigError("\(r.at("timeout")): at most 1h") }
        let poll = try r.duration("poll") ?? .seconds(1)
        guard poll >= .milliseconds(100), poll <= .seconds(60) else { throw ServeConfigError("\(r.at("poll")): between 100ms and 60s") }
        return RoundtripConfig(
            submissionAddress: subAddress, submissionPort: subPort,
            submissionTLS: try tls("submission_tls", port: subPort, implicitPort: 465),
            imapAddress: boxAddress, imapPort: boxPort, imapTLS: try tls("imap_tls", port: boxPort, implicitPort: 993),
            tlsName: try r.string("tls_name"), user: user, passwordEnv: env,
            from: try r.string("from") ?? user, to: try r.string("to") ?? user, timeout: timeout, pollInterval: poll)
    }

    /// `ADDRESS[:PORT]` or `[IPv6]:PORT`; an IP address, not a name (the name goes in `tls_name`).
    static func endpoint(_ text: String, key: String, defaultPort: Int) throws -> (String, Int) {
        var host = text, port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 } else if !rest.isEmpty { port = -1 }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            port = Int(text[text.index(after: colon)...]) ?? -1
        }
        guard (1...65535).contains(port) else { throw ServeConfigError("\(key): '\(text)' has no valid port") }
        guard (try? SocketAddress(ipAddress: host, port: port)) != nil else {
            throw ServeConfigError("\(key): '\(host)' is not an IP address (give the server's name as tls_name)")
        }
        return (host, port)
    }
}
