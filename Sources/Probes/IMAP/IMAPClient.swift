import MailWire
import NIOCore

/// Tagged IMAP commands over a `ProbeConnection` (RFC 9051 §2.2.1): send, collect untagged
/// data until the tagged completion, time it as a step.
final class IMAPClient {
    let connection: ProbeConnection
    var decoder: IMAPResponseDecoder
    var tags = IMAPTagGenerator()
    let deadlines: Deadlines
    let commandTimeout: TimeAmount
    private(set) var steps: [StepTiming] = []
    /// At most this many untagged responses per command (a peer cannot keep us forever).
    let maxUntagged = 10_000

    init(connection: ProbeConnection, limits: MailWireLimits, deadlines: Deadlines, commandTimeout: TimeAmount) {
        self.connection = connection
        self.decoder = IMAPResponseDecoder(limits: limits)
        self.deadlines = deadlines
        self.commandTimeout = commandTimeout
    }

    func readResponse(deadline: NIODeadline) async throws(ProbeReadError) -> IMAPResponse {
        let r = try await connection.read(&decoder, deadline: deadline)
        var line = r.transcriptText
        if !r.literals.isEmpty { line += " (literals: \(r.literals.map { "\($0.count) octets" }.joined(separator: ", ")))" }
        connection.recordReceived([line])
        return r
    }

    func readGreeting(timeout: TimeAmount) async throws(ProbeReadError) -> IMAPResponse {
        let start = connection.milliseconds
        do {
            let r = try await readResponse(deadline: deadlines.step(timeout))
            steps.append(StepTiming(name: "greeting", milliseconds: connection.milliseconds - start, result: r.status?.rawValue ?? "?"))
            return r
        } catch {
            steps.append(StepTiming(name: "greeting", milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    /// Sends `command` and returns the untagged responses and the tagged completion.
    /// Continuation requests (`+`) are answered by `onContinuation`, or the command is cancelled
    /// with `*` (RFC 9051 §6.2.2) when there is none.
    func run(_ command: IMAPCommand, step: String, timeout: TimeAmount? = nil,
             onContinuation: ((IMAPResponse) throws(ProbeReadError) -> IMAPCommand?)? = nil)
        async throws(ProbeReadError) -> (untagged: [IMAPResponse], completion: IMAPResponse)
    {
        let tag = tags.make()
        let encoded: EncodedCommand
        do { encoded = try command.encoded(tag: tag) } catch { throw .encoding(error) }
        let start = connection.milliseconds
        let deadline = deadlines.step(timeout ?? commandTimeout)
        do {
            let result = try await exchange(encoded, tag: tag, deadline: deadline, onContinuation: onContinuation)
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: result.1.status?.rawValue ?? "?"))
            return result
        } catch {
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    private func exchange(_ encoded: EncodedCommand, tag: String, deadline: NIODeadline,
                          onContinuation: ((IMAPResponse) throws(ProbeReadError) -> IMAPCommand?)?)
        async throws(ProbeReadError) -> (untagged: [IMAPResponse], completion: IMAPResponse)
    {
        try await connection.send(encoded)
        var untagged: [IMAPResponse] = []
        // All untagged data of one command together stays under 8 replies' worth of bytes.
        let maxTotal = 8 * decoder.limits.maxResponseBytes
        var total = 0
        while true {
            let r = try await readResponse(deadline: deadline)
            switch r.kind {
            case .tagged(let t) where t == tag:
                return (untagged, r)
            case .continuation:
                let next = try onContinuation?(r) ?? .saslResponse("*")
                let nextEncoded: EncodedCommand
                do { nextEncoded = try next.encoded(tag: tag) } catch { throw .encoding(error) }
                try await connection.send(nextEncoded)
            default:
                untagged.append(r)
                total += r.text.utf8.count + r.literals.reduce(0) { $0 + $1.count }
                if untagged.count > maxUntagged || total > maxTotal { throw .decoding(.responseTooLarge(limit: maxTotal)) }
            }
        }
    }

    func logout() async {
        _ = try? await run(.logout, step: "LOGOUT", timeout: .seconds(2))
    }

    func record(_ step: StepTiming) { steps.append(step) }
}
