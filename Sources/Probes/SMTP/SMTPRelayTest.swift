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
}
