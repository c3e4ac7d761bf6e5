import Foundation
import MailWire

extension SendSession {
    /// SMTP AUTH (RFC 4954 §4) with the best common SASL mechanism, or the one asked for.
    /// Credentials go only over TLS unless the request allows plaintext (RFC 8314 §5.1).
    /// Returns false when the session ended (refused or failed).
    func authenticate(_ caps: SMTPCapabilities?) async throws(ProbeReadError) -> Bool {
        guard let user = request.user, let password = request.password else { return true }
        guard connection.isTLS || request.tls == .none else {
            result.ending = .failed
            result.failedStage = .auth
            result.failure = "no TLS on this connection; refusing to send the password"
            await client.quit()
            return false
        }
        let offered = caps?.authMechanisms ?? []
        let mechanism: SASLMechanism
        if let forced = request.mechanism {
            mechanism = forced
        } else if let best = SASLMechanism.best(offered: offered) {
            mechanism = best
        } else {
            result.ending = .failed
            result.failedStage = .auth
            result.failure = "no common SASL mechanism (server offers: \(offered.isEmpty ? "none" : offered.joined(separator: " ")))"
            await client.quit()
            return false
        }
        result.authMechanism = mechanism.rawValue
        var sasl = SASLClient(mechanism: mechanism, user: user, password: password)
        let initial = sasl.initialResponse().map { Data($0).base64EncodedString() }
        var reply = try await client.send(.auth(mechanism: mechanism.rawValue, initialResponse: initial), step: "AUTH \(mechanism.rawValue)")
        var rounds = 0
        while reply.code == 334, rounds < 8 {
            rounds += 1
            let text = (reply.lines.first ?? "").trimmingCharacters(in: .whitespaces)
            guard let challenge = text.isEmpty ? Data() : Data(base64Encoded: text),
                  let answer = try? sasl.respond(to: Array(challenge)) else {
                // RFC 4954 §4: "*" cancels the exchange.
                _ = try? await client.send(.saslResponse("*"), step: "AUTH cancel")
                result.ending = .failed
                result.failedStage = .auth
                result.failure = "could not answer the server's SASL challenge"
                await client.quit()
                return false
            }
            reply = try await client.send(.saslResponse(Data(answer).base64EncodedString()), step: "AUTH response")
        }
        // RFC 4954 §6: 235 success; 535 bad credentials; 454/534/538 other refusals.
        guard reply.code == 235 else {
            await refused(reply)
            return false
        }
        return true
    }

    /// MAIL, RCPT…, DATA and the message. With PIPELINING (RFC 2920 §3.1) the commands go out
    /// back to back and the replies are read in order; DATA is the last command of the group.
    func transaction(pipelining: Bool) async throws(ProbeReadError) {
        let wantRcpt = request.quitAfter.map { $0 >= .rcpt } ?? true
        let wantData = request.quitAfter.map { $0 > .rcpt } ?? true
        var commands: [(SendStage, EncodedCommand)] = [(.mail, try SMTPCommand.mailFrom(request.from).encodedOrThrow())]
        if wantRcpt {
            for r in request.to { commands.append((.rcpt, try SMTPCommand.rcptTo(r).encodedOrThrow())) }
        }
        if wantData { commands.append((.data, EncodedCommand(line: "DATA"))) }
        if !pipelining { commands = Array(commands.prefix(1)) }
        if pipelining && commands.count > 1 {
            result.pipelined = true
            connection.note("PIPELINING: \(commands.count) commands in one go (RFC 2920)")
        }

        stage = .mail
        var replies: [SMTPReply] = []
        // Without pipelining each command is sent after the previous reply; with it, all at once.
        var sentUpTo = 0
        func sendNext() async throws(ProbeReadError) {
            try await connection.send(commands[sentUpTo].1)
            sentUpTo += 1
        }
        if pipelining { while sentUpTo < commands.count { try await sendNext() } } else { try await sendNext() }

        // MAIL
        let mail = try await client.readReply(step: "MAIL FROM")
        replies.append(mail)
        if mail.code != 250 {
            try await drainPipelined(commands.count - 1)
            return await refused(mail)
        }
        complete(.mail)
        if await stopAfter(.mail) { return }

        // RCPT (RFC 5321 §4.1.1.3: one per recipient; 250/251 accept)
        stage = .rcpt
        for r in request.to {
            if !pipelining {
                commands.append((.rcpt, try SMTPCommand.rcptTo(r).encodedOrThrow()))
                try await sendNext()
            }
            let reply = try await client.readReply(step: "RCPT TO")
            if reply.code == 250 || reply.code == 251 {
                result.acceptedRecipients.append(r)
            } else {
                result.refusedRecipients.append(.init(recipient: r, reply: reply))
            }
        }
        if result.acceptedRecipients.isEmpty {
            let first = result.refusedRecipients.first?.reply ?? SMTPReply(code: 554, lines: ["no recipients"])
            if pipelining && wantData {
                // RFC 2920 §3.1: DATA was already sent; a 354 is answered with an empty message.
                let data = try await client.readReply(step: "DATA")
                if data.code == 354 {
                    try await connection.sendRaw(Array(".\r\n".utf8), transcriptText: ".")
                    _ = try await client.readReply(step: "end of data")
                }
            }
            return await refused(first)
        }
        complete(.rcpt)
        if await stopAfter(.rcpt) { return }

        // DATA (RFC 5321 §4.1.1.4): 354, the message, "." and the verdict.
        stage = .data
        if !pipelining { try await connection.send(EncodedCommand(line: "DATA")) }
        let data = try await client.readReply(step: "DATA")
        guard data.code == 354 else { return await refused(data) }
        let wire = MessageText.dotStuffed(request.message)
        result.messageOctets = wire.count
        let lines = wire.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
        try await connection.sendRaw(Array(wire.dropLast(3)), transcriptText: "<message: \(wire.count - 3) octets in \(lines) lines, not shown>")
        try await connection.sendRaw(Array(".\r\n".utf8), transcriptText: ".")
        let verdict = try await client.readReply(step: "end of data", timeout: sender.timeouts.dataEnd)
        result.dataReply = verdict
        result.acceptedAtMilliseconds = connection.milliseconds
        guard verdict.code == 250 else { return await refused(verdict) }
        result.queueID = SendResult.queueID(in: verdict)
        result.ending = .accepted
        complete(.data)
        await client.quit()
    }

    /// Reads the replies to commands already pipelined after a refused one (so the transcript
    /// shows them and QUIT's reply is not mistaken for one of them).
    private func drainPipelined(_ count: Int) async throws(ProbeReadError) {
        guard result.pipelined else { return }
        for _ in 0..<max(0, count) { _ = try await client.readReply(step: "pipelined reply") }
    }
}
