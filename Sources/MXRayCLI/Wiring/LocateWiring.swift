import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailCore
import MailWire
import NIOCore
import Probes
import Wiring

/// The `login` code behind `ClientLoginTesting`: the candidate's service and security become
/// the login scheme (imaps, imap + STARTTLS, pop3s, pop3 + STLS, smtps, submission).
public struct ClientLoginAdapter: ClientLoginTesting {
    let tls: ProbeTLSSettings?

    public init(tls: ProbeTLSSettings?) { self.tls = tls }

    static func scheme(_ c: ClientCandidate) -> LoginRequest.Scheme {
        switch (c.service, c.security) {
        case (.imap, .ssl): return .imaps
        case (.imap, _): return .imap
        case (.pop3, .ssl): return .pop3s
        case (.pop3, _): return .pop3
        case (.smtp, .ssl): return .smtps
        case (.smtp, _): return .submission
        }
    }

    public func login(_ c: ClientCandidate, address: String, user: String, password: String, timeout: Duration) async -> ClientLoginResult {
        var o = ProbeOptions(tls: tls)
        o.overallTimeout = timeAmount(timeout)
        o.connectTimeout = min(o.connectTimeout, o.overallTimeout)
        let request = LoginRequest(scheme: Self.scheme(c), user: user, password: password, address: address, host: c.host, port: c.port)
        let start = ContinuousClock.now
        let r = await MailLogin(options: o).login(request)
        let d = ContinuousClock.now - start
        return ClientLoginResult(status: r.status.rawValue, user: user, mechanism: r.mechanism,
                                 detail: r.detail ?? r.serverReply,
                                 milliseconds: Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
}

/// Builds what `mxray locate` runs: discovery over the network resolver and HTTP(S), probes
/// without the intrusive tests (no relay, VRFY or injection test: a client setting is being
/// confirmed, not audited), and the login code. Tests call this same function.
public enum LocateWiring {
    public struct Settings: Sendable {
        public var resolver: ResolverConfiguration
        public var caFile: String?
        public var perHost = 4

        public init(resolver: ResolverConfiguration, caFile: String? = nil) {
            self.resolver = resolver
            self.caFile = caFile
        }
    }

    public struct Locator: Sendable {
        public let discovery: ClientDiscovery
        public let confirmation: ClientConfirmation

        /// Discovery, probing and (with a password) login, all by `deadline`.
        public func run(email: EmailAddress, password: String?, timeout: Duration) async -> ClientLocateResult? {
            guard let domain = email.domainName else { return nil }
            let deadline = ContinuousClock.now + timeout
            let start = ContinuousClock.now
            let gathered = await discovery.run(email: email.description, domain: domain)
            var r = await confirmation.run(gathered, email: email.description, domain: domain, password: password, deadline: deadline)
            let d = ContinuousClock.now - start
            r.milliseconds = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            return r
        }
    }

    /// The login code alone, for a login with settings found earlier.
    public static func loginTester(caFile: String?) throws -> ClientLoginAdapter {
        ClientLoginAdapter(tls: try ProbeTLSSettings(extraCAFile: caFile))
    }

    public static func locator(_ s: Settings) throws -> Locator {
        let dns = NetworkDNSResolver(configuration: s.resolver)
        let tls = try ProbeTLSSettings(extraCAFile: s.caFile)
        var probe = ProbeOptions(tls: tls)
        probe.relayTest = false
        probe.addressQueryTest = false
        probe.injectionTest = false
        probe.perAddressConcurrency = s.perHost
        let discovery = ClientDiscovery(resolver: dns, fetcher: HTTPFetcherAdapter(resolver: dns, caFile: s.caFile))
        let confirmation = ClientConfirmation(resolver: dns, prober: MailProberAdapter(options: probe),
                                              loginTester: ClientLoginAdapter(tls: tls))
        return Locator(discovery: discovery, confirmation: confirmation)
    }
}
