import MailWire

/// SMTP AUTH (RFC 4954 §4): `AUTH mech [initial]`, 334 challenges, 235 success, 535 failure.
struct SMTPLogin {
    let session: LoginSession

    func run(_ obs: inout LoginObservation) async throws(ProbeReadError) {
        let s = session
        let client = SMTPClient(connection: s.connection, limits: s.options.limits, deadlines: s.deadlines,
                                commandTimeout: s.options.commandTimeout)
        defer { s.steps += client.steps }
        let greeting = try await client.readReply(step: "greeting", timeout: s.options.greetingTimeout)
        guard greeting.code == 220 else {
            obs.serverReply = greeting.description
            obs.detail = "greeting refused service"
            return
        }
        var ehlo = try await client.send(.ehlo(s.options.heloName), step: "EHLO")
        if !s.connection.isTLS, SMTPCapabilities(ehloReply: ehlo).startTLS {
            let reply = try await client.send(.startTLS, step: "STARTTLS")
            if reply.code == 220 {
                try await s.tls(mode: .startTLS)
                client.record(s.steps.removeLast())  // keep steps in order
                ehlo = try await client.send(.ehlo(s.options.heloName), step: "EHLO")  // RFC 3207 §4.2
            }
        }
        guard ehlo.code == 250 else {
            obs.serverReply = ehlo.description
            obs.detail = "EHLO refused"
            await client.quit()
            return
        }
        guard s.plaintextAllowed(into: &obs),
              let mech = s.choose(offered: SMTPCapabilities(ehloReply: ehlo).authMechanisms, into: &obs) else {
            await client.quit()
            return
        }
        obs.mechanism = mech.rawValue
        var sasl = SASLClient(mechanism: mech, user: s.request.user, password: s.request.password)
        let start = s.connection.milliseconds
        let initial = sasl.initialResponse().map { LoginSession.b64($0) }
        var reply = try await client.send(.auth(mechanism: mech.rawValue, initialResponse: initial), step: "AUTH \(mech.rawValue)")
        var rounds = 0
        while reply.code == 334, rounds < 8 {
            rounds += 1
            let challenge = try LoginSession.unb64(reply.lines.first ?? "")
            let answer: [UInt8]
            do { answer = try sasl.respond(to: challenge) } catch {
                // RFC 4954 §4: "*" cancels the exchange.
                _ = try? await client.send(.saslResponse("*"), step: "AUTH cancel")
                obs.status = .rejected
                obs.detail = error.description
                await client.quit()
                return
            }
            reply = try await client.send(.saslResponse(LoginSession.b64(answer)), step: "AUTH response")
        }
        obs.serverReply = reply.description
        client.record(StepTiming(name: "authentication", milliseconds: s.connection.milliseconds - start, result: "\(reply.code)"))
        obs.status = reply.code == 235 ? .authenticated : .rejected
        await client.quit()
    }
}
