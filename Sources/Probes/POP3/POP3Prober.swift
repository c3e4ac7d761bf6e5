import MailWire
import NIOCore

/// Probes one POP3 port (110, 995): greeting (APOP timestamp), CAPA, whether USER is accepted
/// before TLS, STLS and CAPA again. RFC 1939, RFC 2449, RFC 2595, RFC 8314.
struct POP3Prober {
    let options: ProbeOptions
    let deadlines: Deadlines

    func run(_ connection: ProbeConnection, into obs: inout PortObservation) async {
        var pop = POP3Observation()
        let client = POP3Client(connection: connection, limits: options.limits, deadlines: deadlines,
                                commandTimeout: options.commandTimeout)
        defer {
            obs.pop3 = pop
            obs.steps += client.steps
            obs.tls = connection.tls
        }
        do {
            try await dialogue(client, &pop, &obs)
            obs.outcome = obs.outcome ?? .completed
        } catch {
            obs.outcome = deadlines.exceeded ? .deadlineExceeded : error.outcome(greeting: pop.greeting == nil)
            obs.outcomeDetail = error.description
        }
    }

    private func dialogue(_ client: POP3Client, _ pop: inout POP3Observation, _ obs: inout PortObservation) async throws(ProbeReadError) {
        if obs.service.implicitTLS, let settings = options.tls {
            try await tls(client, settings: settings, host: obs.host, mode: .implicit)
        }
        let greeting = try await client.readResponse(step: "greeting", timeout: options.greetingTimeout)
        pop.greeting = greeting
        pop.greetingMilliseconds = client.steps.last?.milliseconds
        pop.apopTimestamp = greeting.apopTimestamp
        pop.fingerprint = ServerFingerprint.identify(greeting.text)
        guard greeting.status == .ok else {
            obs.outcome = .greetingRejected
            return
        }
        let capa = try await client.send(.capa, step: "CAPA")
        pop.capabilitiesBefore = capa.isOK ? POP3Capabilities(capaResponse: capa) : nil
        let plaintext = !obs.service.implicitTLS
        if plaintext {
            // RFC 2595 §2.1: a client must not send a password in clear; we send only USER and
            // learn from the answer whether a PASS would have been taken (no PASS follows).
            pop.userBeforeTLS = try await client.send(.user("mxray-probe"), step: "USER (plaintext test)")
        }
        if plaintext, pop.capabilitiesBefore?.stls == true, let settings = options.tls {
            let reply = try await client.send(.stls, step: "STLS")
            pop.stlsReply = reply
            if reply.isOK {
                try await tls(client, settings: settings, host: obs.host, mode: .startTLS)
                let after = try await client.send(.capa, step: "CAPA")
                pop.capabilitiesAfter = after.isOK ? POP3Capabilities(capaResponse: after) : nil
                if let b = pop.capabilitiesBefore, let a = pop.capabilitiesAfter {
                    pop.capabilityDiff = CapabilityDiff(before: b.lines, after: a.lines)
                }
            }
        }
        await client.quit()
    }

    private func tls(_ client: POP3Client, settings: ProbeTLSSettings, host: String?, mode: TLSObservation.Mode) async throws(ProbeReadError) {
        let start = client.connection.milliseconds
        do {
            let t = try await client.connection.startTLS(settings: settings, serverName: host, mode: mode,
                                                         deadline: deadlines.step(options.tlsTimeout))
            client.record(StepTiming(name: "TLS handshake", milliseconds: client.connection.milliseconds - start, result: t.version ?? "ok"))
        } catch {
            client.record(StepTiming(name: "TLS handshake", milliseconds: client.connection.milliseconds - start, result: error.description))
            throw error
        }
    }
}
