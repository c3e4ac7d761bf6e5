import MailCore
import MailWire
import NIOConcurrencyHelpers
import NIOCore

/// EXPN asked on a second connection beside the main SMTP session, over STARTTLS like it.
///
/// Why: RFC 2920 §3.1 lets VRFY, EXPN and QUIT each only end a pipelined group, so after the
/// post-TLS EHLO one session needs three round trips: [relay attempts…, RSET, VRFY], [EXPN],
/// [QUIT]. With EXPN asked on a second connection opened at the same time (connect, greeting,
/// EHLO, STARTTLS, handshake, EHLO, EXPN), its answer is in when the main session has VRFY's,
/// and the main session ends with [QUIT]: one round trip fewer.
///
/// EXPN is asked in the same state the main session asks VRFY in: inside TLS when the server
/// offers STARTTLS (a server may refuse it before TLS, RFC 3207 §4: 530), in plaintext when it
/// does not. The main session uses the answer only when both ended in the same state, and asks
/// EXPN itself otherwise (the second connection refused, a handshake that failed …).
struct SMTPAddressQueries: Sendable {
    var expn: SMTPReply?
    /// EXPN was asked inside TLS.
    var insideTLS = false
    var steps: [StepTiming] = []
    var transcript: Transcript
}

/// The main session's handle on the second one: its answer, and a way to stop it.
struct SecondSession: Sendable {
    let answer: EventLoopFuture<SMTPAddressQueries>
    let control: SecondSessionControl

    /// The second session's answer if it comes within `wait`; else nil, and the second
    /// session is stopped (its connection closed), so a server that stalls a second connection
    /// costs the main session `wait` and one round trip (EXPN asked itself), nothing more.
    func answer(within wait: TimeAmount) async -> SMTPAddressQueries? {
        let loop = answer.eventLoop
        let first = loop.makePromise(of: SMTPAddressQueries?.self)
        let done = NIOLockedValueBox(false)
        let finish = { @Sendable (value: SMTPAddressQueries?) in
            if done.withLockedValue({ d in defer { d = true }; return !d }) { first.succeed(value) }
        }
        answer.whenComplete { finish(try? $0.get()) }
        let timer = loop.scheduleTask(in: wait) {
            control.stop()
            finish(nil)
        }
        let value = (try? await first.futureResult.get()) ?? nil
        timer.cancel()
        return value
    }
}

/// Stops the second session from the main one: closes its connection, or, when it is not
/// connected yet, makes it close at once when it is.
final class SecondSessionControl: Sendable {
    private let state = NIOLockedValueBox<(stopped: Bool, answered: Bool, channel: (any Channel)?)>((false, false, nil))

    func stop() {
        let channel = state.withLockedValue { s -> (any Channel)? in
            s.stopped = true
            return s.channel
        }
        channel?.close(promise: nil)
    }

    /// Stops the session unless it has handed its answer over (then it is in its QUIT, which
    /// it finishes).
    func stopUnlessAnswered() {
        if !state.withLockedValue({ $0.answered }) { stop() }
    }

    func markAnswered() { state.withLockedValue { $0.answered = true } }

    /// Registers the connected channel; false when the session was stopped meanwhile.
    func attach(_ channel: any Channel) -> Bool {
        state.withLockedValue { s in
            if !s.stopped { s.channel = channel }
            return !s.stopped
        }
    }
}

/// Runs the second session (see `SMTPAddressQueries`) and hands EXPN's reply over as soon as it
/// is in, before its own QUIT: the main session waits only for that.
struct SMTPAddressQuerySession {
    let options: ProbeOptions
    let deadlines: Deadlines
    let group: any EventLoopGroup

    static let label = "EXPN session"

    /// `handOver` is completed exactly once, with whatever was learned (on any failure too);
    /// the return value adds the QUIT exchange to the transcript.
    func run(_ target: ProbeTarget, port: Int, label: String, stopwatch: Stopwatch,
             handOver: EventLoopPromise<SMTPAddressQueries>, control: SecondSessionControl) async -> SMTPAddressQueries {
        let connectTimeout = min(options.connectTimeout, max(.milliseconds(1), deadlines.overall - .now()))
        let (connection, _, transcript) = await ProbeConnection.connect(
            address: target.address, port: port, group: group, timeout: connectTimeout,
            label: "\(label) (\(Self.label))", stopwatch: stopwatch)
        guard let connection, control.attach(connection.channel) else {
            if let connection {
                connection.note("\(Self.label) stopped: the main session went on without it")
                await connection.close()
            }
            let r = SMTPAddressQueries(transcript: connection?.transcript ?? transcript)
            handOver.succeed(r)
            return r
        }
        let client = SMTPClient(connection: connection, limits: options.limits, deadlines: deadlines,
                                commandTimeout: options.commandTimeout)
        var result = SMTPAddressQueries(transcript: transcript)
        var polite = true
        do {
            try await dialogue(client, target: target, into: &result)
        } catch {
            connection.note("\(Self.label) ended: \(error.description)")
            switch error {
            case .encoding, .sasl: break
            default: polite = false  // the channel no longer makes sense for a QUIT
            }
        }
        result.steps = client.steps
        result.transcript = connection.transcript
        control.markAnswered()
        handOver.succeed(result)
        // RFC 5321 §3.8: a 421 means the server is closing the channel; a QUIT would only race
        // its close.
        let closing = client.steps.last?.result.hasPrefix("421") ?? false
        if polite, !closing, !deadlines.exceeded { await client.quit(step: "QUIT (\(Self.label))") }
        await connection.close()
        result.steps = client.steps
        result.transcript = connection.transcript
        return result
    }

    private func dialogue(_ client: SMTPClient, target: ProbeTarget, into result: inout SMTPAddressQueries) async throws(ProbeReadError) {
        let step = { (name: String) in "\(name) (\(Self.label))" }
        // RFC 5321 §3.1: only a 220 greeting opens a session.
        let greeting = try await client.readReply(step: step("greeting"), timeout: options.greetingTimeout)
        guard greeting.code == 220 else { return }
        let hello = try await client.hello(options.heloName, step: step)
        guard hello.reply.isPositiveCompletion else { return }
        if hello.capabilities?.startTLS == true, let settings = options.tls {
            // RFC 3207 §4: STARTTLS, the handshake, then EHLO again (nothing learned before counts).
            let reply = try await client.send(.startTLS, step: step("STARTTLS"))
            guard reply.code == 220 else { return }
            _ = try await client.timedTLS(settings: settings, host: target.host, mode: .startTLS,
                                          deadline: deadlines.step(options.tlsTimeout), step: step("TLS handshake"))
            guard try await client.hello(options.heloName, step: step).reply.isPositiveCompletion else { return }
            result.insideTLS = true
        }
        // RFC 5321 §3.5: EXPN lists a mailing list's members to anyone who asks.
        result.expn = try await client.send(.expn("postmaster"), step: step("EXPN"))
    }
}

extension SMTPAddressQueries {
    /// The second session's steps and transcript lines added to the main session's, each line
    /// marked as the second session's, so the evidence of an EXPN finding stays in the port's
    /// transcript.
    func merge(into obs: inout PortObservation) {
        obs.steps += steps
        var t = obs.transcript
        t.append(.event, "\(SMTPAddressQuerySession.label): a second connection (RFC 2920 §3.1: EXPN ends a group)",
                 at: transcript.lines.first?.milliseconds ?? 0)
        for line in transcript.lines {
            let text = "[\(SMTPAddressQuerySession.label)] " + line.text
            if line.redacted { t.recordRedacted(line.direction, visiblePrefix: text, at: line.milliseconds) } else { t.append(line.direction, text, at: line.milliseconds) }
        }
        obs.transcript = t
    }
}
