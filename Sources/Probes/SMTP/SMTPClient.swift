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

    /// QUIT and a short wait for 221 (RFC 5321 §4.1.1.10); failures here change nothing.
    func quit(step: String = "QUIT") async {
        _ = try? await send(.quit, step: step, timeout: .seconds(2))
    }
}
