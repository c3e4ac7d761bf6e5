import MailWire

/// IMAP login (RFC 9051 §6.2): STARTTLS first on port 143, AUTHENTICATE with the best common
/// mechanism (SASL-IR when offered, RFC 4959) or LOGIN when no AUTH= is offered, then LIST,
/// SELECT INBOX and a FETCH of the newest message's headers, each timed.
struct IMAPLogin {
    let session: LoginSession

    func run(_ obs: inout LoginObservation) async throws(ProbeReadError) {
        let s = session
        let client = IMAPClient(connection: s.connection, limits: s.options.limits, deadlines: s.deadlines,
                                commandTimeout: s.options.commandTimeout)
        defer { s.steps += client.steps }
        let greeting = try await client.readGreeting(timeout: s.options.greetingTimeout)
        guard greeting.kind == .untagged, greeting.status == .ok else {
            obs.serverReply = greeting.transcriptText
            obs.detail = greeting.status == .preauth ? "the server pre-authenticated the connection" : "greeting refused service"
            if greeting.status == .preauth { obs.status = .authenticated }
            return
        }
        var caps = try await capability(client)
        if !s.connection.isTLS, caps?.startTLS == true {
            let (_, done) = try await client.run(.startTLS, step: "STARTTLS")
            if done.status == .ok {
                try await s.tls(mode: .startTLS)
                client.record(s.steps.removeLast())  // keep steps in order
                caps = try await capability(client)  // RFC 9051 §6.2.1: ask again after TLS
            }
        }
        guard s.plaintextAllowed(into: &obs) else { await client.logout(); return }
        let offered = caps?.authMechanisms ?? []
        let start = s.connection.milliseconds
        let completion: IMAPResponse
        if offered.isEmpty, caps?.loginDisabled != true, s.request.mechanism == nil || s.request.mechanism == .plain {
            obs.mechanism = "LOGIN command"
            completion = try await client.run(.login(user: s.request.user, password: s.request.password), step: "LOGIN").completion
        } else {
            guard let mech = s.choose(offered: offered, into: &obs) else { await client.logout(); return }
            obs.mechanism = mech.rawValue
            var sasl = SASLClient(mechanism: mech, user: s.request.user, password: s.request.password)
            let initial = caps?.saslIR == true ? sasl.initialResponse().map { LoginSession.b64($0) } : nil
            var saslError: String?
            completion = try await client.run(.authenticate(mechanism: mech.rawValue, initialResponse: initial),
                                              step: "AUTHENTICATE \(mech.rawValue)") { (challenge: IMAPResponse) throws(ProbeReadError) -> IMAPCommand? in
                do {
                    return .saslResponse(LoginSession.b64(try sasl.respond(to: try LoginSession.unb64(challenge.text))))
                } catch let e as SASLError {
                    saslError = e.description
                    return .saslResponse("*")  // RFC 9051 §6.2.2: cancel
                } catch let e as ProbeReadError {
                    throw e
                } catch {
                    return .saslResponse("*")
                }
            }.completion
            if let saslError { obs.detail = saslError }
        }
        obs.serverReply = completion.transcriptText
        client.record(StepTiming(name: "authentication", milliseconds: s.connection.milliseconds - start,
                                  result: completion.status?.rawValue ?? "?"))
        guard completion.status == .ok else {
            obs.status = .rejected
            await client.logout()
            return
        }
        obs.status = .authenticated
        obs.mailbox = try await mailbox(client)
        await client.logout()
    }

    private func capability(_ client: IMAPClient) async throws(ProbeReadError) -> IMAPCapabilities? {
        let (untagged, done) = try await client.run(.capability, step: "CAPABILITY")
        return untagged.lazy.compactMap(IMAPCapabilities.init(response:)).first ?? IMAPCapabilities(response: done)
    }

    /// LIST, SELECT INBOX (EXISTS), FETCH of the newest message's headers.
    private func mailbox(_ client: IMAPClient) async throws(ProbeReadError) -> MailboxSummary {
        var box = MailboxSummary()
        let (lists, _) = try await client.run(.list(reference: "", pattern: "*"), step: "LIST")
        box.mailboxes = lists.filter { $0.keyword == "LIST" }.compactMap { r in
            // `LIST (\HasNoChildren) "." INBOX`: the name is the last word (or the literal).
            if let lit = r.literals.last { return WireText.string(lit) }
            return r.text.split(separator: " ").last.map { String($0).trimmingCharacters(in: ["\""]) }
        }
        let (selected, done) = try await client.run(.select("INBOX"), step: "SELECT INBOX")
        guard done.status == .ok else { return box }
        box.messages = selected.first { $0.keyword == "EXISTS" }?.number
        if let n = box.messages, n > 0 {
            let (fetched, _) = try await client.run(.fetch(sequence: "\(n)", items: "(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])"),
                                                    step: "FETCH newest headers")
            if let literal = fetched.first(where: { $0.keyword == "FETCH" })?.literals.first {
                box.newestHeaders = WireText.string(literal).split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
            }
        }
        return box
    }
}
