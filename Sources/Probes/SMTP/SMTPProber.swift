import MailWire
import NIOCore

/// Probes one SMTP port (25, 587, 465): greeting, EHLO (HELO fallback), STARTTLS or implicit
/// TLS with EHLO again, then the exposure checks. RFC 5321, 3207, 4954, 8314.
struct SMTPProber {
    let options: ProbeOptions
    let deadlines: Deadlines

    /// `addressQueries`: the VRFY/EXPN replies of a second session running beside this one
    /// (`SMTPAddressQuerySession`); nil asks them in this session.
    func run(_ connection: ProbeConnection, into obs: inout PortObservation,
             addressQueries: SecondSession? = nil) async {
        var smtp = SMTPObservation()
        let client = SMTPClient(connection: connection, limits: options.limits, deadlines: deadlines,
                                commandTimeout: options.commandTimeout)
        defer {
            obs.smtp = smtp
            obs.steps += client.steps
            obs.tls = connection.tls
        }
        do {
            try await dialogue(client, &smtp, &obs, addressQueries: addressQueries)
            obs.outcome = obs.outcome ?? .completed
        } catch {
            obs.outcome = deadlines.exceeded ? .deadlineExceeded : error.outcome(greeting: smtp.greeting == nil)
            obs.outcomeDetail = error.description
            // A polite goodbye only when the channel still makes sense.
            switch error {
            case .encoding, .sasl: await client.quit()
            default: break
            }
        }
    }

    private func dialogue(_ client: SMTPClient, _ smtp: inout SMTPObservation, _ obs: inout PortObservation,
                          addressQueries: SecondSession?) async throws(ProbeReadError) {
        if obs.service.implicitTLS, let settings = options.tls {
            // RFC 8314 §3.3: submissions starts with the TLS handshake.
            _ = try await timedTLS(client, settings: settings, host: obs.host, mode: .implicit)
        }
        // RFC 5321 §3.1 / §4.2: 220 greets; 554 refuses service; 421 is temporary.
        let greeting = try await client.readReply(step: "greeting", timeout: options.greetingTimeout)
        smtp.greeting = greeting
        smtp.greetingMilliseconds = client.steps.last?.milliseconds
        smtp.fingerprint = ServerFingerprint.identify(greeting.lines.joined(separator: " "))
        if greeting.code == 421 {
            obs.outcome = .temporarilyRefused
            await client.quit()
            return
        }
        if greeting.code != 220 {
            obs.outcome = .greetingRejected
            await client.quit()
            return
        }

        let before = try await hello(client, &smtp)
        smtp.ehloBefore = before.reply
        smtp.capabilitiesBefore = before.capabilities

        // RFC 3207 §4: STARTTLS, then forget everything and EHLO again.
        if !obs.service.implicitTLS, before.capabilities?.startTLS == true, let settings = options.tls {
            if let after = try await startTLS(client, &smtp, settings: settings, host: obs.host) {
                smtp.ehloAfter = after.reply
                smtp.capabilitiesAfter = after.capabilities
                if let b = before.capabilities, let a = after.capabilities {
                    smtp.capabilityDiff = SMTPCapabilities.diff(before: b, after: a)
                }
            }
        }

        let current = smtp.capabilitiesAfter ?? smtp.capabilitiesBefore
        if current?.pipelining == true {
            // RFC 2920 §3.1: RSET, MAIL and RCPT go in one group; VRFY, EXPN and QUIT only last
            // in one: [relay…, RSET, VRFY], [EXPN] unless the second session asked it, [QUIT].
            // Without VRFY the relay group ends with QUIT.
            let ask = options.addressQueryTest
            let r = try await SMTPRelayTest(options: options).runPipelined(client, address: obs.address, vrfy: ask, quit: !ask)
            if options.relayTest { smtp.relay = r.attempts }
            guard ask else { return }
            smtp.vrfy = r.vrfy
            smtp.expn = try await expn(client, addressQueries)
        } else {
            if options.addressQueryTest {
                // RFC 5321 §3.5: VRFY and EXPN let anyone confirm addresses and list members.
                smtp.vrfy = try await client.send(.vrfy("postmaster"), step: "VRFY")
                smtp.expn = try await expn(client, addressQueries)
            }
            if options.relayTest {
                smtp.relay = try await SMTPRelayTest(options: options).run(client, address: obs.address)
            }
        }
        await client.quit()
    }

    /// EXPN's reply: the second session's when it asked EXPN in the state this session is in
    /// (both inside TLS, or both not), else asked here. The second session started with this
    /// one and has as many round trips to EXPN's reply as this one to VRFY's; it is waited for
    /// twice this session's slowest recent step (at least 100 ms), then given up.
    private func expn(_ client: SMTPClient, _ addressQueries: SecondSession?) async throws(ProbeReadError) -> SMTPReply {
        if let addressQueries {
            let roundTrip = max(client.steps.suffix(20).map(\.milliseconds).max() ?? 0, 100)
            // A 4xx is no answer (RFC 5321 §4.2.1: transient, "try again"): asked here then.
            if let side = await addressQueries.answer(within: .milliseconds(Int64(2 * roundTrip))), let reply = side.expn,
               !reply.isTransientFailure, side.insideTLS == client.connection.isTLS {
                return reply
            }
        }
        return try await client.send(.expn("postmaster"), step: "EXPN")
    }

    /// EHLO or HELO (`SMTPClient.hello`), noting in the observation when HELO was needed.
    private func hello(_ client: SMTPClient, _ smtp: inout SMTPObservation) async throws(ProbeReadError)
        -> (reply: SMTPReply, capabilities: SMTPCapabilities?)
    {
        let h = try await client.hello(options.heloName)
        if h.usedHELO { smtp.usedHELO = true }
        return (h.reply, h.capabilities)
    }

    private func timedTLS(_ client: SMTPClient, settings: ProbeTLSSettings, host: String?, mode: TLSObservation.Mode)
        async throws(ProbeReadError) -> TLSObservation
    {
        try await client.timedTLS(settings: settings, host: host, mode: mode, deadline: deadlines.step(options.tlsTimeout))
    }

    /// STARTTLS, the handshake and EHLO again (RFC 3207 §4.2), with the injection test when
    /// enabled: `STARTTLS` and `NOOP` in one write. A server must answer STARTTLS only and
    /// discard the rest (RFC 3207 §4.2, CVE-2011-0411). nil when STARTTLS was refused.
    ///
    /// The test costs no waiting: EHLO goes out as soon as the handshake is done. A flawed
    /// server answers the buffered NOOP first (it reads it before anything sent inside TLS), so
    /// the first reply is the NOOP's when it carries an enhanced status code (RFC 2034 §3: an
    /// EHLO reply never does), or when a second reply came with it. Only a single-line reply
    /// without a code is ambiguous; then the probe listens up to `injectionWait` for a second one.
    private func startTLS(_ client: SMTPClient, _ smtp: inout SMTPObservation, settings: ProbeTLSSettings, host: String?)
        async throws(ProbeReadError) -> (reply: SMTPReply, capabilities: SMTPCapabilities?)?
    {
        let connection = client.connection
        if options.injectionTest {
            try await connection.sendRaw(Array("STARTTLS\r\nNOOP\r\n".utf8),
                                         transcriptText: "STARTTLS\\r\\nNOOP (pipelined: injection test)")
        } else {
            try await connection.send(try SMTPCommand.startTLS.encodedOrThrow())
        }
        let reply = try await client.readReply(step: "STARTTLS")
        smtp.startTLSReply = reply
        guard reply.code == 220 else { return nil }
        var plaintextEvidence: [String] = []
        if options.injectionTest {
            let leftover = connection.takeBuffered()
            if !leftover.isEmpty {
                plaintextEvidence = [WireText.printable(leftover, limit: 300)]
                connection.note("plaintext bytes after the STARTTLS reply: \(plaintextEvidence[0])")
            }
        }
        _ = try await timedTLS(client, settings: settings, host: host, mode: .startTLS)
        guard options.injectionTest else { return try await hello(client, &smtp) }
        try await connection.send(try SMTPCommand.ehlo(options.heloName).encodedOrThrow())
        let first = try await client.readReply(step: "EHLO")
        var injected: SMTPReply?
        if first.enhancedCode != nil {
            injected = first
        } else if first.lines.count == 1 {
            let extra = connection.hasBuffered ? [UInt8]("more".utf8)
                : await connection.waitForUnsolicited(deadline: deadlines.step(options.injectionWait))
            if !extra.isEmpty { injected = first }
        }
        let ehlo: SMTPReply
        if let injected {
            ehlo = try await client.readReply(step: "EHLO")
            smtp.injection = InjectionResult(verdict: .vulnerable, evidence: ["inside TLS, before any command: " + injected.wireLines.joined(separator: " | ")])
        } else {
            ehlo = first
            smtp.injection = plaintextEvidence.isEmpty ? InjectionResult(verdict: .notVulnerable)
                : InjectionResult(verdict: .answeredInPlaintext, evidence: plaintextEvidence)
        }
        if ehlo.code == 250 { return (ehlo, SMTPCapabilities(ehloReply: ehlo)) }
        guard ehlo.isPermanentFailure else { return (ehlo, nil) }
        smtp.usedHELO = true
        return (try await client.send(.helo(options.heloName), step: "HELO"), nil)
    }
}

extension ProbeConnection {
    /// Bytes received and not yet decoded.
    var hasBuffered: Bool { inbox.state.withLockedValue { $0.buffer.readableBytes > 0 } }
}

extension SMTPCommand {
    func encodedOrThrow() throws(ProbeReadError) -> EncodedCommand {
        do { return try encoded() } catch { throw .encoding(error) }
    }
}

extension ProbeReadError {
    /// The outcome of a failed step; a silent greeting is a tarpit or a stuck server.
    func outcome(greeting: Bool) -> SessionOutcome {
        if case .timeout(let n) = self { return greeting && n == 0 ? .greetingTimeout : .stalled }
        return outcome
    }
}
