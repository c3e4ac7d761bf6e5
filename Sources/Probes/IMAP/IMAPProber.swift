import MailWire
import NIOCore

/// Probes one IMAP port (143, 993): greeting, CAPABILITY before and after STARTTLS (or on
/// implicit TLS), each command timed. RFC 9051, RFC 3501, RFC 8314.
struct IMAPProber {
    let options: ProbeOptions
    let deadlines: Deadlines

    func run(_ connection: ProbeConnection, into obs: inout PortObservation) async {
        var imap = IMAPObservation()
        let client = IMAPClient(connection: connection, limits: options.limits, deadlines: deadlines,
                                commandTimeout: options.commandTimeout)
        defer {
            obs.imap = imap
            obs.steps += client.steps
            obs.tls = connection.tls
        }
        do {
            try await dialogue(client, &imap, &obs)
            obs.outcome = obs.outcome ?? .completed
        } catch {
            obs.outcome = deadlines.exceeded ? .deadlineExceeded : error.outcome(greeting: imap.greetingStatus == nil)
            obs.outcomeDetail = error.description
        }
    }

    private func dialogue(_ client: IMAPClient, _ imap: inout IMAPObservation, _ obs: inout PortObservation) async throws(ProbeReadError) {
        if obs.service.implicitTLS, let settings = options.tls {
            try await tls(client, settings: settings, host: obs.host, mode: .implicit)
        }
        // RFC 9051 §7.1: the greeting is an untagged OK, PREAUTH or BYE.
        let greeting = try await client.readGreeting(timeout: options.greetingTimeout)
        imap.greetingStatus = greeting.kind == .untagged ? greeting.status : nil
        imap.greetingText = greeting.statusText
        imap.greetingMilliseconds = client.steps.last?.milliseconds
        imap.fingerprint = ServerFingerprint.identify(greeting.text)
        guard greeting.kind == .untagged, let status = greeting.status, status == .ok || status == .preauth else {
            obs.outcome = .greetingRejected
            return
        }
        imap.capabilitiesBefore = try await capability(client)
        if !obs.service.implicitTLS, imap.capabilitiesBefore?.startTLS == true, let settings = options.tls {
            let (_, done) = try await client.run(.startTLS, step: "STARTTLS")
            imap.startTLSResult = done.status?.rawValue
            if done.status == .ok {
                try await tls(client, settings: settings, host: obs.host, mode: .startTLS)
                // RFC 9051 §6.2.1: capabilities from before TLS must be discarded.
                imap.capabilitiesAfter = try await capability(client)
                if let b = imap.capabilitiesBefore, let a = imap.capabilitiesAfter {
                    imap.capabilityDiff = CapabilityDiff(before: b.atoms, after: a.atoms)
                }
            }
        }
        await client.logout()
    }

    private func capability(_ client: IMAPClient) async throws(ProbeReadError) -> IMAPCapabilities? {
        let (untagged, done) = try await client.run(.capability, step: "CAPABILITY")
        return untagged.lazy.compactMap(IMAPCapabilities.init(response:)).first ?? IMAPCapabilities(response: done)
    }

    private func tls(_ client: IMAPClient, settings: ProbeTLSSettings, host: String?, mode: TLSObservation.Mode) async throws(ProbeReadError) {
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
