import MailWire

/// POP3 login: STLS first on port 110 (RFC 2595 §4), then AUTH (RFC 5034) or USER/PASS
/// (RFC 1939 §7), then STAT.
struct POP3Login {
    let session: LoginSession

    func run(_ obs: inout LoginObservation) async throws(ProbeReadError) {
        let s = session
        let client = POP3Client(connection: s.connection, limits: s.options.limits, deadlines: s.deadlines,
                                commandTimeout: s.options.commandTimeout)
        defer { s.steps += client.steps }
        let greeting = try await client.readResponse(step: "greeting", timeout: s.options.greetingTimeout)
        guard greeting.isOK else {
            obs.serverReply = greeting.statusLine
            obs.detail = "greeting refused service"
            return
        }
        var capa = try await client.send(.capa, step: "CAPA")
        if !s.connection.isTLS, POP3Capabilities(capaResponse: capa).stls {
            if try await client.send(.stls, step: "STLS").isOK {
                try await s.tls(mode: .startTLS)
                client.record(s.steps.removeLast())  // keep steps in order
                capa = try await client.send(.capa, step: "CAPA")
            }
        }
        let caps = POP3Capabilities(capaResponse: capa)
        guard s.plaintextAllowed(into: &obs) else { await client.quit(); return }
        let start = s.connection.milliseconds
        let final: POP3Response
        if caps.saslMechanisms.isEmpty && caps.user && (s.request.mechanism == nil || s.request.mechanism == .plain) {
            // No SASL: USER/PASS is all there is.
            obs.mechanism = "USER/PASS"
            let u = try await client.send(.user(s.request.user), step: "USER")
            final = u.isOK ? try await client.send(.pass(s.request.password), step: "PASS") : u
        } else {
            guard let mech = s.choose(offered: caps.saslMechanisms, into: &obs) else { await client.quit(); return }
            obs.mechanism = mech.rawValue
            var sasl = SASLClient(mechanism: mech, user: s.request.user, password: s.request.password)
            let initial = sasl.initialResponse().map { LoginSession.b64($0) }
            var reply = try await client.send(.auth(mechanism: mech.rawValue, initialResponse: initial), step: "AUTH \(mech.rawValue)")
            var rounds = 0
            while reply.status == .continuation, rounds < 8 {
                rounds += 1
                let answer: [UInt8]
                let challenge = try LoginSession.unb64(reply.text)
                do { answer = try sasl.respond(to: challenge) } catch {
                    reply = try await client.send(.saslResponse("*"), step: "AUTH cancel")
                    obs.detail = error.description
                    break
                }
                reply = try await client.send(.saslResponse(LoginSession.b64(answer)), step: "AUTH response")
            }
            final = reply
        }
        obs.serverReply = final.statusLine
        client.record(StepTiming(name: "authentication", milliseconds: s.connection.milliseconds - start, result: final.status.rawValue))
        guard final.isOK else {
            obs.status = .rejected
            await client.quit()
            return
        }
        obs.status = .authenticated
        // RFC 1939 §5: STAT → "+OK nn mm" (messages, octets).
        let stat = try await client.send(.stat, step: "STAT")
        var box = MailboxSummary()
        let parts = stat.text.split(separator: " ")
        if stat.isOK, parts.count >= 2 { box.messages = Int(parts[0]); box.octets = Int(parts[1]) }
        obs.mailbox = box
        await client.quit()
    }
}
