import Foundation
import MailWire
import NIOCore

/// SMTP request/reply over a `ProbeConnection`: each exchange recorded in the transcript and
/// timed as a step.
final class SMTPClient {
    let connection: ProbeConnection
    var decoder: SMTPReplyDecoder
    let deadlines: Deadlines
    let commandTimeout: TimeAmount
    private(set) var steps: [StepTiming] = []

    init(connection: ProbeConnection, limits: MailWireLimits, deadlines: Deadlines, commandTimeout: TimeAmount) {
        self.connection = connection
        self.decoder = SMTPReplyDecoder(limits: limits)
        self.deadlines = deadlines
        self.commandTimeout = commandTimeout
    }

    /// Reads one reply (the greeting, or the answer to something already sent).
    func readReply(step: String, timeout: TimeAmount? = nil) async throws(ProbeReadError) -> SMTPReply {
        let start = connection.milliseconds
        do {
            let reply = try await connection.read(&decoder, deadline: deadlines.step(timeout ?? commandTimeout))
            connection.recordReceived(reply.wireLines)
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: "\(reply.code)"))
            return reply
        } catch {
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    /// Sends a command and reads its reply.
    @discardableResult
    func send(_ command: SMTPCommand, step: String? = nil, timeout: TimeAmount? = nil) async throws(ProbeReadError) -> SMTPReply {
        let encoded: EncodedCommand
        do { encoded = try command.encoded() } catch { throw .encoding(error) }
        try await connection.send(encoded)
        return try await readReply(step: step ?? encoded.transcriptText, timeout: timeout)
    }

    func record(_ step: StepTiming) { steps.append(step) }

    /// EHLO, or HELO when EHLO is refused (RFC 5321 §4.1.4: a 5xx to EHLO means fall back).
    /// `capabilities` only from a 250 EHLO reply; `usedHELO` when HELO was sent.
    func hello(_ name: String, step: (String) -> String = { $0 }) async throws(ProbeReadError)
        -> (reply: SMTPReply, capabilities: SMTPCapabilities?, usedHELO: Bool)
    {
        let ehlo = try await send(.ehlo(name), step: step("EHLO"))
        if ehlo.code == 250 { return (ehlo, SMTPCapabilities(ehloReply: ehlo), false) }
        guard ehlo.isPermanentFailure else { return (ehlo, nil, false) }
        return (try await send(.helo(name), step: step("HELO")), nil, true)
    }

    /// The TLS handshake on this connection, timed as a step (failed or not).
    func timedTLS(settings: ProbeTLSSettings, host: String?, mode: TLSObservation.Mode, deadline: NIODeadline,
                  step: String = "TLS handshake") async throws(ProbeReadError) -> TLSObservation {
        let start = connection.milliseconds
        do {
            let tls = try await connection.startTLS(settings: settings, serverName: host, mode: mode, deadline: deadline)
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: tls.version ?? "ok"))
            return tls
        } catch {
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    /// QUIT and a short wait for 221 (RFC 5321 §4.1.1.10); failures here change nothing.
    func quit(step: String = "QUIT") async {
        _ = try? await send(.quit, step: step, timeout: .seconds(2))
    }
}
