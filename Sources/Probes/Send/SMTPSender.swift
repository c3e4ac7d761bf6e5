import MailCore
import MailWire
import NIOCore
import NIOPosix

/// Sends one message like swaks: connect, greeting, EHLO, STARTTLS or implicit TLS, AUTH, MAIL,
/// RCPT, DATA, each timed and recorded (credentials redacted), PIPELINING when offered
/// (RFC 2920), dot-stuffing (RFC 5321 §4.5.2), a deadline on every step.
public struct SMTPSender: Sendable {
    public let tlsSettings: ProbeTLSSettings?
    public let timeouts: SendTimeouts
    public var limits = MailWireLimits.default
    let group: any EventLoopGroup

    public init(tlsSettings: ProbeTLSSettings?, timeouts: SendTimeouts = SendTimeouts(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.tlsSettings = tlsSettings
        self.timeouts = timeouts
        self.group = group
    }

    /// Runs the transaction. Never throws: every way it can end is in the result.
    public func send(_ request: SendRequest, stopwatch: Stopwatch = Stopwatch()) async -> SendResult {
        let deadlines = Deadlines(overall: .now() + timeouts.overall)
        let label = "smtp://\(request.host ?? request.address):\(request.port)"
        let (connection, connect, transcript) = await ProbeConnection.connect(
            address: request.address, port: request.port, group: group, timeout: timeouts.connect,
            label: label, stopwatch: stopwatch)
        var result = SendResult(target: label, transcript: transcript)
        result.connect = connect
        guard let connection else {
            result.failedStage = .connect
            result.failure = "\(connect.state.rawValue): \(connect.detail ?? "no connection")"
            return result
        }
        let session = SendSession(request: request, sender: self, deadlines: deadlines, connection: connection)
        session.result = result
        session.result.lastStage = .connect
        do {
            try await session.run()
        } catch {
            session.result.ending = .failed
            session.result.failedStage = session.stage
            session.result.failure = deadlines.exceeded ? "the overall deadline passed (\(error.description))" : error.description
        }
        session.result.steps = session.client.steps
        session.result.tls = connection.tls
        await connection.close()
        session.result.transcript = connection.transcript
        return session.result
    }
}

/// The state of one transaction while it runs.
final class SendSession {
    let request: SendRequest
    let sender: SMTPSender
    let deadlines: Deadlines
    let connection: ProbeConnection
    let client: SMTPClient
    var result = SendResult(target: "", transcript: Transcript(label: ""))
    /// The stage in progress (for failures).
    var stage: SendStage = .connect

    init(request: SendRequest, sender: SMTPSender, deadlines: Deadlines, connection: ProbeConnection) {
        self.request = request
        self.sender = sender
        self.deadlines = deadlines
        self.connection = connection
        client = SMTPClient(connection: connection, limits: sender.limits, deadlines: deadlines,
                            commandTimeout: sender.timeouts.command)
    }

    /// True (and the session ended politely) when `--quit-after` names `done` or an earlier stage.
    func stopAfter(_ done: SendStage) async -> Bool {
        guard let q = request.quitAfter, q <= done else { return false }
        result.ending = .stoppedAsAsked
        if done > .connect { await client.quit() }
        connection.note("stopped after \(q.rawValue) as asked")
        return true
    }

    /// The server refused `stage` with `reply`: record it and say goodbye.
    func refused(_ reply: SMTPReply) async {
        result.ending = .refused
        result.failedStage = stage
        result.failedReply = reply
        await client.quit()
    }

    func complete(_ s: SendStage) { result.lastStage = s }

    func run() async throws(ProbeReadError) {
        if await stopAfter(.connect) { return }
        if request.tls == .implicit {
            // RFC 8314 §3.3: implicit TLS starts with the handshake, before the greeting.
            stage = .starttls
            try await handshake(mode: .implicit)
        }
        stage = .banner
        // RFC 5321 §4.2, §3.1: 220 greets; 554 refuses; 421 is temporary.
        let greeting = try await client.readReply(step: "greeting", timeout: sender.timeouts.greeting)
        result.greeting = greeting
        guard greeting.code == 220 else { return await refused(greeting) }
        complete(.banner)
        if await stopAfter(.banner) { return }

        stage = .ehlo
        var caps = try await hello()
        if result.ending == .refused { return }
        result.capabilities = caps
        complete(.ehlo)
        if await stopAfter(.ehlo) { return }

        if request.tls == .starttls {
            stage = .starttls
            guard caps?.startTLS == true else {
                result.ending = .failed
                result.failedStage = .starttls
                result.failure = "the server does not offer STARTTLS (RFC 3207 §4); use --tls none to send without it"
                await client.quit()
                return
            }
            let reply = try await client.send(.startTLS, step: "STARTTLS")
            guard reply.code == 220 else { return await refused(reply) }
            try await handshake(mode: .startTLS)
            // RFC 3207 §4.2: forget what was said before TLS and ask again.
            stage = .ehlo
            caps = try await hello()
            guard result.ending != .refused else { return }
            complete(.starttls)
        }
        result.capabilities = caps
        if await stopAfter(.starttls) { return }

        if request.user != nil {
            stage = .auth
            guard try await authenticate(caps) else { return }
            complete(.auth)
        }
        if await stopAfter(.auth) { return }
        try await transaction(pipelining: request.pipelining && caps?.pipelining == true)
    }

    /// EHLO, or HELO when EHLO gets a 5xx (RFC 5321 §4.1.4). Returns the capabilities, or nil
    /// after HELO (no extensions) or a refusal (then `result.ending` is `.refused`).
    private func hello() async throws(ProbeReadError) -> SMTPCapabilities? {
        let ehlo = try await client.send(.ehlo(request.heloName), step: "EHLO")
        if ehlo.code == 250 { return SMTPCapabilities(ehloReply: ehlo) }
        if ehlo.isPermanentFailure {
            let helo = try await client.send(.helo(request.heloName), step: "HELO")
            if helo.code == 250 { return nil }
            await refused(helo)
            return nil
        }
        await refused(ehlo)
        return nil
    }

    private func handshake(mode: TLSObservation.Mode) async throws(ProbeReadError) {
        guard let settings = sender.tlsSettings else { throw .tls("no TLS settings") }
        let start = connection.milliseconds
        do {
            let t = try await connection.startTLS(settings: settings, serverName: request.host, mode: mode,
                                                  deadline: deadlines.step(sender.timeouts.tls))
            client.record(StepTiming(name: "TLS handshake", milliseconds: connection.milliseconds - start, result: t.version ?? "ok"))
        } catch {
            client.record(StepTiming(name: "TLS handshake", milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }
}
