import MailWire

/// The open-relay test: a sender and a recipient outside the server's domains in the forms
/// relays have been fooled by. Each attempt is `RSET`, `MAIL FROM`, `RCPT TO` and stops there:
/// DATA is never sent, so no message can leave (RFC 5321 §3.3, §3.6; RFC 2505 §2).
struct SMTPRelayTest {
    let options: ProbeOptions

    /// The address forms, for a server at `address` (used as an address literal, RFC 5321 §4.1.3).
    func attempts(address: String) -> [RelayAttempt] {
        let literal = address.contains(":") ? "[IPv6:\(address)]" : "[\(address)]"
        let user = "mxray-relay-test"
        let sender = "\(user)@\(options.relaySenderDomain)"
        let far = options.relayRecipientDomain
        return [
            RelayAttempt(form: "external to external", sender: sender, recipient: "\(user)@\(far)"),
            RelayAttempt(form: "percent hack", sender: sender, recipient: "\(user)%\(far)@\(literal)"),
            // RFC 5321 §4.1.1.3 / Appendix C: source routes must be accepted but ignored.
            RelayAttempt(form: "source route", sender: sender, recipient: "@\(literal):\(user)@\(far)"),
            RelayAttempt(form: "bang path", sender: sender, recipient: "\(far)!\(user)@\(literal)"),
            RelayAttempt(form: "quoted local part", sender: sender, recipient: "\"\(user)@\(far)\"@\(literal)"),
        ]
    }

    func run(_ client: SMTPClient, address: String) async throws(ProbeReadError) -> [RelayAttempt] {
        var done: [RelayAttempt] = []
        for var attempt in attempts(address: address) {
            _ = try await client.send(.rset, step: "RSET")
            let mail = try await client.send(.mailFrom(attempt.sender), step: "MAIL FROM (\(attempt.form))")
            attempt.mailReply = mail
            if mail.isPositiveCompletion {
                attempt.rcptReply = try await client.send(.rcptTo(attempt.recipient), step: "RCPT TO (\(attempt.form))")
            }
            done.append(attempt)
            // A server that refuses every MAIL FROM (AUTH or TLS required) refuses them all.
            if !mail.isPositiveCompletion { break }
        }
        _ = try await client.send(.rset, step: "RSET")
        return done
    }

    /// The relay attempts (when enabled) and then VRFY or QUIT as one pipelined group (RFC
    /// 2920 §3.1: RSET, MAIL and RCPT may be pipelined; VRFY and QUIT only as the last of a
    /// group), for a server that advertised PIPELINING. The result reads as `run` would have
    /// recorded it: attempts up to the first refused MAIL FROM, RCPT only after an accepted one.
    /// QUIT's 221 is waited for briefly (RFC 5321 §4.1.1.10); its absence changes nothing.
    func runPipelined(_ client: SMTPClient, address: String, vrfy: Bool, quit: Bool) async throws(ProbeReadError)
        -> (attempts: [RelayAttempt], vrfy: SMTPReply?)
    {
        precondition(!(vrfy && quit), "RFC 2920 §3.1: VRFY and QUIT each end a group")
        var commands: [(SMTPCommand, String)] = []
        let all = options.relayTest ? attempts(address: address) : []
        for a in all {
            commands += [(.rset, "RSET"), (.mailFrom(a.sender), "MAIL FROM (\(a.form))"), (.rcptTo(a.recipient), "RCPT TO (\(a.form))")]
        }
        if !all.isEmpty { commands.append((.rset, "RSET")) }
        if vrfy { commands.append((.vrfy("postmaster"), "VRFY")) }
        if quit { commands.append((.quit, "QUIT")) }
        guard !commands.isEmpty else { return ([], nil) }
        // One write, so the group reaches the server in one segment: a server that flushes its
        // replies whenever its input runs dry (Postfix) then answers the group in one segment too,
        // instead of one held back by Nagle's algorithm behind the first.
        let encoded = try commands.map { (c, _) throws(ProbeReadError) in try c.encodedOrThrow() }
        try await client.connection.sendRaw(encoded.flatMap(\.bytes),
                                            transcriptText: encoded.map(\.transcriptText).joined(separator: "\\r\\n") + " (pipelined, RFC 2920)")
        var replies: [SMTPReply] = []
        for (command, step) in commands {
            if case .quit = command {
                if let bye = try? await client.readReply(step: step, timeout: .seconds(2)) { replies.append(bye) }
            } else {
                replies.append(try await client.readReply(step: step))
            }
        }
        var done: [RelayAttempt] = []
        for (i, var attempt) in all.enumerated() {
            let mail = replies[3 * i + 1]
            attempt.mailReply = mail
            if mail.isPositiveCompletion { attempt.rcptReply = replies[3 * i + 2] }
            done.append(attempt)
            if !mail.isPositiveCompletion { break }
        }
        return (done, vrfy ? replies.last : nil)
    }
}
