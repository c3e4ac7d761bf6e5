import ArgumentParser
import DNSWire
import Foundation
import MailWire
import Probes
import Reporting
#if canImport(Glibc)
import Glibc
#endif

/// `mxray login URL`: authenticate like a mail client would, and time every step.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to SMTP, IMAP or POP3 like a mail client, with every step timed.",
        discussion: """
        URL schemes: smtp:// and submission:// (587, STARTTLS), smtps:// (465), imap:// (143,
        STARTTLS), imaps:// (993), pop3:// (110, STLS), pop3s:// (995). The user may contain '@'
        (the last '@' separates the host). STARTTLS/STLS is used whenever offered; without TLS
        the password is not sent unless --allow-plaintext.

        The best mechanism both sides support is used (SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN;
        --mech forces one). The password comes from MXRAY_PASSWORD or is asked for without echo;
        it is never taken from the command line and never printed. After an IMAP login: LIST,
        SELECT INBOX and a FETCH of the newest message's headers, each timed (steps over 2 s are
        marked SLOW).

        Exit codes: 0 logged in, 1 credentials rejected or no usable mechanism or no TLS,
        2 usage error, 3 could not connect or the dialogue failed.

        Examples:
          MXRAY_PASSWORD=… mxray login imaps://alice@example.org@mail.example.org
          mxray login smtp://alice@mail.example.org:587 --mech PLAIN --transcript
          mxray login pop3s://alice@192.0.2.10 --host-name mail.example.org --ca-file ca.pem
        """
    )

    @Argument(help: "scheme://user@host[:port]")
    var url: String

    @Option(help: "Force a SASL mechanism: SCRAM-SHA-256, CRAM-MD5, PLAIN or LOGIN.")
    var mech: String?

    @Flag(name: .customLong("allow-plaintext"), help: "Send the password even when the server offers no TLS.")
    var allowPlaintext = false

    @Flag(help: "Show the session transcript (credentials are redacted).")
    var transcript = false

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(help: "Overall deadline in seconds.")
    var timeout: Double = 30

    @Option(name: .customLong("resolver"), help: "Resolve the host with this DNS server HOST[:PORT] instead of the system resolver.")
    var resolver: String?

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust when checking certificates.")
    var caFile: String?

    @Option(name: .customLong("host-name"), help: "The server's name for TLS SNI and certificate checks when the URL holds an address.")
    var hostName: String?

    func validate() throws {
        _ = try LoginURL(url)
        if let mech, SASLMechanism(rawValue: mech.uppercased()) == nil {
            throw ValidationError("--mech must be one of \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if let resolver, DNSServerAddress(parsing: resolver) == nil { throw ValidationError("--resolver '\(resolver)' is not HOST[:PORT] with an IP address") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
    }

    func run() async throws {
        let parsed = try LoginURL(url)
        let password = try Self.password()
        let targets = try await HostResolution.targets(for: parsed.host, resolver: resolver)
        let target = targets[0]
        var request = LoginRequest(scheme: parsed.scheme, user: parsed.user, password: password,
                                   address: target.address, host: hostName ?? target.host, port: parsed.port)
        request.mechanism = mech.flatMap { SASLMechanism(rawValue: $0.uppercased()) }
        request.allowPlaintext = allowPlaintext
        var options = ProbeOptions()
        do { options.tls = try ProbeTLSSettings(extraCAFile: caFile) } catch {
            throw MXRayError.couldNotRun("cannot set up TLS: \(error)")
        }
        options.overallTimeout = .milliseconds(Int64(timeout * 1000))
        let result = await MailLogin(options: options).login(request)
        switch format {
        case "json": print(try JSONOutput.encode(result))
        default: print(LoginTextRenderer(showTranscript: transcript).render(result))
        }
        switch result.status {
        case .authenticated: return
        case .rejected, .noCommonMechanism, .plaintextRefused: throw FindingsExit(1)
        case .connectFailed, .protocolFailure: throw FindingsExit(3)
        }
    }

    /// MXRAY_PASSWORD, or a prompt on the terminal with echo off.
    static func password() throws -> String {
        if let p = ProcessInfo.processInfo.environment["MXRAY_PASSWORD"] { return p }
        guard isatty(STDIN_FILENO) == 1 else {
            throw MXRayError.usage("no password: set MXRAY_PASSWORD or run on a terminal to be asked")
        }
        FileHandle.standardError.write(Data("Password: ".utf8))
        var old = termios()
        tcgetattr(STDIN_FILENO, &old)
        var silent = old
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}

/// `scheme://user@host[:port]`, user possibly containing '@' or percent-escapes.
struct LoginURL {
    let scheme: LoginRequest.Scheme
    let user: String
    let host: String
    let port: Int?

    init(_ text: String) throws {
        guard let sep = text.range(of: "://") else { throw ValidationError("'\(text)' is not scheme://user@host[:port]") }
        let schemeText = text[..<sep.lowerBound].lowercased()
        guard let scheme = LoginRequest.Scheme(rawValue: schemeText) else {
            throw ValidationError("unknown scheme '\(schemeText)' (use \(LoginRequest.Scheme.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var rest = String(text[sep.upperBound...])
        if rest.hasSuffix("/") { rest.removeLast() }
        guard let at = rest.lastIndex(of: "@") else { throw ValidationError("'\(text)' has no user (scheme://user@host)") }
        let user = String(rest[..<at]).removingPercentEncoding ?? String(rest[..<at])
        var hostPort = String(rest[rest.index(after: at)...])
        guard !user.isEmpty, !hostPort.isEmpty else { throw ValidationError("'\(text)' needs both a user and a host") }
        var port: Int?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw ValidationError("unclosed '[' in '\(text)'") }
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) ; guard port != nil else { throw ValidationError("bad port in '\(text)'") } }
            hostPort = String(hostPort[...close])
        } else if let colon = hostPort.lastIndex(of: ":") {
            guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else { throw ValidationError("bad port in '\(text)'") }
            port = p
            hostPort = String(hostPort[..<colon])
        }
        for b in Array(user.utf8) + Array(hostPort.utf8) where b < 0x20 || b == 0x7F {
            throw ValidationError("control characters are not allowed in '\(text)'")
        }
        self.scheme = scheme
        self.user = user
        self.host = hostPort
        self.port = port
    }
}
