import MailWire
import NIOCore

/// POP3 command/response over a `ProbeConnection` (RFC 1939 §3), each exchange timed.
final class POP3Client {
    let connection: ProbeConnection
    var decoder: POP3ResponseDecoder
    let deadlines: Deadlines
    let commandTimeout: TimeAmount
    private(set) var steps: [StepTiming] = []

    init(connection: ProbeConnection, limits: MailWireLimits, deadlines: Deadlines, commandTimeout: TimeAmount) {
        self.connection = connection
        self.decoder = POP3ResponseDecoder(limits: limits)
        self.deadlines = deadlines
        self.commandTimeout = commandTimeout
    }

    func readResponse(step: String, timeout: TimeAmount? = nil) async throws(ProbeReadError) -> POP3Response {
        let start = connection.milliseconds
        do {
            let r = try await connection.read(&decoder, deadline: deadlines.step(timeout ?? commandTimeout))
            var lines = [r.statusLine]
            if !r.lines.isEmpty { lines += r.lines.prefix(200) + ["."] }
            connection.recordReceived(lines)
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: r.status.rawValue))
            return r
        } catch {
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    @discardableResult
    func send(_ command: POP3Command, step: String? = nil, timeout: TimeAmount? = nil) async throws(ProbeReadError) -> POP3Response {
        let encoded: EncodedCommand
        do { encoded = try command.encoded() } catch { throw .encoding(error) }
        if command.expectsMultiLine { decoder.expectMultiLine() }
        try await connection.send(encoded)
        return try await readResponse(step: step ?? encoded.transcriptText, timeout: timeout)
    }

    func quit() async {
        _ = try? await send(.quit, step: "QUIT", timeout: .seconds(2))
    }

    func record(_ step: StepTiming) { steps.append(step) }
}
