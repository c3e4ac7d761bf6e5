import DNSWire
import Foundation
import MailCore
import MailWire
import NIOCore
import Probes

/// Runs one `/probe` request: parse the target, resolve it once, check every resolved address
/// against the allowlist, then connect to the checked address itself (never to the name again,
/// so a DNS answer that changes between check and connect — DNS rebinding — cannot redirect it).
public struct ProbeRunner: Sendable {
    public let allowlist: ProbeAllowlist
    public let resolver: any DNSResolver
    public let tls: ProbeTLSSettings?
    /// Modules by name: the built-in ones, possibly with configured timeouts.
    public let modules: [String: ProbeModule]

    public init(allowlist: ProbeAllowlist, resolver: any DNSResolver, tls: ProbeTLSSettings?,
                modules: [ProbeModule] = ProbeModule.builtIn) {
        self.allowlist = allowlist
        self.resolver = resolver
        self.tls = tls
        self.modules = Dictionary(modules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A request refused before any connection (HTTP 400 or 403).
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case badRequest(String)
        case forbidden(String)
        public var description: String {
            switch self {
            case .badRequest(let s), .forbidden(let s): return s
            }
        }
    }

    /// Blackbox exporter: the probe timeout is the scrape timeout minus a small offset, so the
    /// answer arrives before Prometheus gives up; the module's own timeout caps it.
    public static func effectiveTimeout(scrapeTimeoutHeader: String?, module: ProbeModule, offset: Double = 0.5) -> Double {
        var t = module.timeoutSeconds
        if let h = scrapeTimeoutHeader, let s = Double(h.trimmingCharacters(in: .whitespaces)), s.isFinite, s > 0 {
            t = min(t, max(0.1, s - offset))
        }
        return t
    }

    /// Resolves and checks the target; the address to connect to (first allowed A, then AAAA).
    public func authorise(_ spec: ProbeTargetSpec) async throws(Rejection) -> (address: IPAddress, name: String?, dnsSeconds: Double) {
        switch spec.host {
        case .address(let a):
            if let why = allowlist.refusal(for: a, name: nil) { throw .forbidden("probe refused: \(why)") }
            return (a, nil, 0)
        case .name(let n):
            guard let name = try? DomainName(n) else { throw .badRequest("not a host name: \(n)") }
            let start = ContinuousClock.now
            async let v4 = resolver.lookupA(name)
            async let v6 = resolver.lookupAAAA(name)
            let (a4, a6) = await (v4, v6)
            let seconds = (ContinuousClock.now - start).seconds
            let all = a4.values + a6.values
            if all.isEmpty {
                throw .forbidden("probe refused: \(n) did not resolve (A \(a4.status.rawValue), AAAA \(a6.status.rawValue))")
            }
            // Every address must pass: one forbidden answer among allowed ones is refused too.
            for a in all {
                if let why = allowlist.refusal(for: a, name: n) { throw .forbidden("probe refused: \(why)") }
            }
            return (all[0], n, seconds)
        }
    }

    /// Parses the query, checks it and runs the module; the Prometheus text to return.
    public func run(target: String?, moduleName: String?, scrapeTimeoutHeader: String?) async throws(Rejection) -> ProbeResult {
        guard let target, !target.isEmpty else { throw .badRequest("target parameter is missing") }
        let moduleName = moduleName ?? "smtp_starttls"
        guard let module = modules[moduleName] else {
            throw .badRequest("unknown module \(moduleName); known: \(modules.keys.sorted().joined(separator: ", "))")
        }
        let spec: ProbeTargetSpec
        do { spec = try ProbeTargetSpec.parse(target) } catch { throw .forbidden("probe refused: \(error.description)") }
        let timeout = Self.effectiveTimeout(scrapeTimeoutHeader: scrapeTimeoutHeader, module: module)
        let started = ContinuousClock.now
        let (address, name, dnsSeconds) = try await authorise(spec)
        let remaining = max(0.05, timeout - (ContinuousClock.now - started).seconds)
        var options = ProbeOptions(tls: tls)
        // Only the dialogue the module judges: no relay, VRFY or injection tests from /probe.
        options.relayTest = false
        options.addressQueryTest = false
        options.injectionTest = false
        let budget = TimeAmount.milliseconds(Int64(remaining * 1000))
        options.overallTimeout = budget
        options.connectTimeout = min(options.connectTimeout, budget)
        options.greetingTimeout = min(options.greetingTimeout, budget)
        options.commandTimeout = min(options.commandTimeout, budget)
        options.tlsTimeout = min(options.tlsTimeout, budget)
        let prober = MailProber(options: options)
        let port = spec.port ?? module.defaultPort
        let obs = await prober.probePort(ProbeTarget(address: address.description, host: name), port: port, as: module.service)
        let total = (ContinuousClock.now - started).seconds
        return ProbeResult(module: module, address: address, port: port, observation: obs,
                           failure: ProbeVerdict.failure(of: obs, module: module), dnsSeconds: dnsSeconds, totalSeconds: total)
    }
}

/// What one probe found, ready to be written as Prometheus text.
public struct ProbeResult: Sendable {
    public let module: ProbeModule
    public let address: IPAddress
    public let port: Int
    public let observation: PortObservation
    /// Why the probe failed; nil when it succeeded.
    public let failure: String?
    public let dnsSeconds: Double
    public let totalSeconds: Double

    public var success: Bool { failure == nil }
}

private extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
