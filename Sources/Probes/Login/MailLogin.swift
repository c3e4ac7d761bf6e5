import Foundation
import MailCore
import MailWire
import NIOCore
import NIOPosix

/// What `mxray login` asks for. The password comes from the caller (environment or prompt),
/// never from the command line, and never reaches a transcript.
public struct LoginRequest: Sendable {
    public enum Scheme: String, Sendable, CaseIterable {
        case smtp, smtps, submission, imap, imaps, pop3, pop3s

        public var defaultPort: Int {
            switch self {
            case .smtp, .submission: return 587
            case .smtps: return 465
            case .imap: return 143
            case .imaps: return 993
            case .pop3: return 110
            case .pop3s: return 995
            }
        }

        /// RFC 8314 §3: these start with TLS.
        public var implicitTLS: Bool { self == .smtps || self == .imaps || self == .pop3s }
    }

    public let scheme: Scheme
    public let user: String
    public let password: String
    public let address: String
    public let host: String?
    public let port: Int
    public var mechanism: SASLMechanism?
    /// Send credentials over a channel without TLS (off by default; a finding either way).
    public var allowPlaintext = false

    public init(scheme: Scheme, user: String, password: String, address: String, host: String?, port: Int? = nil) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.address = address
        self.host = host
        self.port = port ?? scheme.defaultPort
    }
}

/// Logs in over SMTP (RFC 4954), IMAP (RFC 9051 §6.2) or POP3 (RFC 5034, RFC 1939 §7), with
/// STARTTLS/STLS first on the plain ports, the best common SASL mechanism, and (IMAP) LIST,
/// SELECT INBOX and a FETCH of the newest headers, each timed.
public struct MailLogin: Sendable {
    public let options: ProbeOptions
    let group: any EventLoopGroup

    /// Without TLS settings in `options`, the system trust roots are used (STARTTLS and the
    /// implicit-TLS ports are always tried).
    public init(options: ProbeOptions, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        var options = options
        if options.tls == nil { options.tls = try? ProbeTLSSettings() }
        self.options = options
        self.group = group
    }

    public func login(_ request: LoginRequest) async -> LoginObservation {
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let label = "\(request.scheme.rawValue)://\(request.host ?? request.address):\(request.port)"
        let (connection, connect, transcript) = await ProbeConnection.connect(
            address: request.address, port: request.port, group: group, timeout: options.connectTimeout, label: label)
        var obs = LoginObservation(scheme: request.scheme.rawValue, address: request.address, host: request.host,
                                   port: request.port, user: request.user, transcript: transcript)
        obs.connect = connect
        guard let connection else {
            obs.status = .connectFailed
            obs.detail = "\(connect.state.rawValue): \(connect.detail ?? "")"
            return obs
        }
        let session = LoginSession(request: request, options: options, deadlines: deadlines, connection: connection)
        do {
            if request.scheme.implicitTLS { try await session.tls(mode: .implicit) }
            switch request.scheme {
            case .smtp, .smtps, .submission: try await SMTPLogin(session: session).run(&obs)
            case .imap, .imaps: try await IMAPLogin(session: session).run(&obs)
            case .pop3, .pop3s: try await POP3Login(session: session).run(&obs)
            }
        } catch {
            if obs.status == .protocolFailure || obs.status == .authenticated { obs.status = .protocolFailure }
            obs.detail = obs.detail ?? error.description
        }
        obs.steps = session.steps
        obs.tls = connection.tls
        await connection.close()
        obs.transcript = connection.transcript
        return obs
    }
}

/// State shared by the protocol drivers of one login.
final class LoginSession {
    let request: LoginRequest
    let options: ProbeOptions
    let deadlines: Deadlines
    let connection: ProbeConnection
    var steps: [StepTiming] = []

    init(request: LoginRequest, options: ProbeOptions, deadlines: Deadlines, connection: ProbeConnection) {
        self.request = request
        self.options = options
        self.deadlines = deadlines
        self.connection = connection
    }

    func tls(mode: TLSObservation.Mode) async throws(ProbeReadError) {
        guard let settings = options.tls else { throw .tls("no TLS settings") }
        let start = connection.milliseconds
        do {
            let t = try await connection.startTLS(settings: settings, serverName: request.host, mode: mode,
                                                  deadline: deadlines.step(options.tlsTimeout))
            steps.append(StepTiming(name: "TLS handshake", milliseconds: connection.milliseconds - start, result: t.version ?? "ok"))
        } catch {
            steps.append(StepTiming(name: "TLS handshake", milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    /// Picks the mechanism: the forced one if offered, else the best common one.
    func choose(offered: [String], into obs: inout LoginObservation) -> SASLMechanism? {
        if let forced = request.mechanism {
            guard offered.map({ $0.uppercased() }).contains(forced.rawValue) else {
                obs.status = .noCommonMechanism
                obs.detail = "\(forced.rawValue) is not offered (server offers: \(offered.joined(separator: " ")))"
                return nil
            }
            return forced
        }
        guard let best = SASLMechanism.best(offered: offered) else {
            obs.status = .noCommonMechanism
            obs.detail = "no common SASL mechanism (server offers: \(offered.isEmpty ? "none" : offered.joined(separator: " ")))"
            return nil
        }
        return best
    }

    /// Refuses to go on without TLS unless allowed (RFC 8314 §5.1, RFC 2595 §2.1).
    func plaintextAllowed(into obs: inout LoginObservation) -> Bool {
        if connection.isTLS || request.allowPlaintext { return true }
        obs.status = .plaintextRefused
        obs.detail = "the server offers no TLS on this port; refusing to send the password in clear (--allow-plaintext to override)"
        return false
    }

    static func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func unb64(_ text: String) throws(ProbeReadError) -> [UInt8] {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return [] }
        guard let d = Data(base64Encoded: t) else { throw .sasl(SASLError.notBase64.description) }
        return Array(d)
    }
}
