import Foundation
import MailCore
import NIOCore
import NIOPosix
import TLSWire

/// Scans one port: accepted versions, suites per version in server order (by elimination),
/// groups (post-quantum hybrids through HelloRetryRequest), protocol features, the certificate.
public struct TLSScanner: Sendable {
    public let options: TLSScanOptions
    let group: any EventLoopGroup

    /// - Parameter group: the event loops to use; NIO's shared singleton when nil.
    public init(options: TLSScanOptions, group: (any EventLoopGroup)? = nil) {
        self.options = options
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
    }

    public func scan() async -> TLSScanResult {
        let stopwatch = Stopwatch()
        var result = TLSScanResult(host: options.host, address: options.address, port: options.port,
                                   starttls: options.starttls?.rawValue)
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let probe = TLSHelloProbe(options: options, group: group, deadlines: deadlines)
        let ctx = ScanContext(probe: probe, limiter: ConnectionLimiter(options.perHostConcurrency), options: options)

        // Groups and the certificate need no earlier answer: they start at once, beside the
        // versions (the critical path of a scan is its longest elimination chain).
        async let groups13: [UInt16] = ctx.enumerateGroups13()
        async let groups12: [UInt16] = ctx.enumerateGroups12(suites: ctx.candidates(.tls12).filter {
            CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "ECDHE" })
        async let certificate: CertificateReport? = options.fetchCertificate
            ? ctx.limiter.with { await TLSCertificateFetcher(options: options, group: group, deadlines: deadlines).fetch() }
            : nil

        // Versions and suites: every version in parallel, each by elimination.
        let perVersion = await withTaskGroup(of: (TLSProtocolVersion, SuiteEnumeration).self) { tg in
            for v in TLSProtocolVersion.scanned { tg.addTask { (v, await ctx.enumerateSuites(v)) } }
            var out: [TLSProtocolVersion: SuiteEnumeration] = [:]
            for await (v, e) in tg { out[v] = e }
            return out
        }
        for v in TLSProtocolVersion.scanned {
            guard let e = perVersion[v] else { continue }
            var vr = VersionResult(version: v, accepted: e.untestable == nil || !e.suites.isEmpty ? !e.suites.isEmpty : nil)
            vr.suites = e.suites
            vr.serverOrder = e.serverOrder
            vr.detail = e.untestable ?? e.rejection
            result.versions.append(vr)
        }
        result.notes += perVersion.values.flatMap(\.notes)

        let outcomes = perVersion.values
        if let noTLS = outcomes.compactMap(\.noStartTLS).first {
            result.status = .noTLS
            result.statusDetail = noTLS
        } else if result.acceptedVersions.isEmpty {
            let reasons = outcomes.compactMap(\.untestable)
            if reasons.count == outcomes.count, let first = reasons.first {
                result.status = first.hasPrefix("connect") ? .unreachable : .couldNotTest
                result.statusDetail = first
            } else {
                result.status = .noTLS
                result.statusDetail = "no protocol version accepted"
            }
        }

        let (g13, g12, cert) = await (groups13, groups12, certificate)
        if !result.acceptedVersions.isEmpty {
            // Features and the fallback test need the accepted versions and suites.
            let snapshot = result
            async let features = ctx.features(snapshot)
            async let fallback = ctx.fallbackSCSV(snapshot)
            result.groups = snapshot.acceptedVersions.contains(.tls13) ? g13 : []
            result.groupsTLS12 = snapshot.acceptedVersions.contains(.tls12) ? g12 : []
            let f = await features
            result.features = f.0
            result.dhPrimeBits = f.1
            result.features.fallbackSCSV = await fallback
            switch cert {
            case .some(let report): result.certificate = report
            case .none: if options.fetchCertificate { result.notes.append("certificate: full handshake failed") }
            }
            if deadlines.exceeded {
                result.status = .couldNotTest
                result.statusDetail = "scan deadline of \(options.overallTimeout.nanoseconds / 1_000_000_000) s passed"
            }
        }
        result.connections = await ctx.counter.value
        result.milliseconds = stopwatch.milliseconds
        return result
    }
}

/// Suites found for one version.
struct SuiteEnumeration: Sendable {
    var suites: [UInt16] = []
    var serverOrder: Bool?
    var rejection: String?
    var untestable: String?
    var noStartTLS: String?
    var notes: [String] = []
    /// The offer had to be split: the order across the halves is not the server's.
    var split = false
}

actor Counter {
    private(set) var value = 0
    /// Set once a connection shows the port cannot be scanned at all (nothing listens, filtered,
    /// no STARTTLS): later hellos return it at once instead of waiting for their own timeouts.
    private(set) var fatal: HelloOutcome?
    func bump() { value += 1 }
    func stop(_ o: HelloOutcome) { if fatal == nil { fatal = o } }
}

/// Shared pieces of one scan; every hello goes through the limiter.
struct ScanContext: Sendable {
    let probe: TLSHelloProbe
    let limiter: ConnectionLimiter
    let options: TLSScanOptions
    let counter = Counter()

    func send(_ hello: ClientHello, fullFlight: Bool = false) async -> HelloOutcome {
        await limiter.with {
            if let fatal = await counter.fatal { return fatal }
            await counter.bump()
            let o = await probe.send(hello, fullFlight: fullFlight)
            if debugTLS { debugPrint(hello, o) }
            switch o {
            case .couldNotTest(let why) where why.hasPrefix("connect"): await counter.stop(o)
            case .noStartTLS: await counter.stop(o)
            default: break
            }
            return o
        }
    }

    static func random() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    /// Classic groups offered in every hello (the hybrids are tested apart).
    static let classicGroups: [UInt16] = [
        NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.x448,
        0x001A, 0x001B, 0x001C, 0x0016, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
    ]

    func hello(_ v: TLSProtocolVersion, suites: [UInt16]) -> ClientHello {
        var h = ClientHello(legacyVersion: v == .tls13 ? .tls12 : v, cipherSuites: suites, random: Self.random())
        h.serverName = TLSCertificateFetcher.sni(options.host)
        if v == .ssl3 {
            h.includeExtensions = false
        } else {
            h.groups = Self.classicGroups
        }
        if v == .tls13 {
            h.supportedVersions = [.tls13]
            h.keyShareGroups = [NamedGroup.x25519]
        }
        return h
    }

    /// Suites a hello for `v` may offer, the likely ones first so the first chunk holds them.
    func candidates(_ v: TLSProtocolVersion) -> [UInt16] {
        let all = IANATables.offerableSuites(for: v)
        func common(_ s: UInt16) -> Bool {
            let t = CipherSuiteTraits(name: IANATables.suiteName(s))
            return ["ECDHE", "DHE", "RSA", "TLS13"].contains(t.keyExchange) && ["RSA", "ECDSA", "TLS13"].contains(t.authentication)
        }
        return all.filter(common) + all.filter { !common($0) }
    }

    /// RFC 5246 §7.4.1.3: the server picks one suite of those offered; remove it and ask again
    /// until it refuses. Chunks of at most `maxSuitesPerHello` run in parallel.
    func enumerateSuites(_ v: TLSProtocolVersion) async -> SuiteEnumeration {
        let all = candidates(v)
        let size = max(1, options.maxSuitesPerHello)
        let chunks = stride(from: 0, to: all.count, by: size).map { Array(all[$0..<min(all.count, $0 + size)]) }
        var parts = await withTaskGroup(of: (Int, SuiteEnumeration).self) { tg in
            for (i, chunk) in chunks.enumerated() { tg.addTask { (i, await eliminate(v, chunk)) } }
            var out: [(Int, SuiteEnumeration)] = []
            for await p in tg { out.append(p) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var merged = SuiteEnumeration()
        merged.notes = parts.flatMap(\.notes)
        merged.noStartTLS = parts.compactMap(\.noStartTLS).first
        let found = parts.flatMap(\.suites)
        if found.isEmpty {
            merged.untestable = parts.compactMap(\.untestable).first
            merged.rejection = parts.compactMap(\.rejection).first
            return merged
        }
        if parts.filter({ !$0.suites.isEmpty }).count > 1 || parts.contains(where: \.split) {
            // Suites from several chunks: one more elimination over them gives the global order.
            parts = [await eliminate(v, found)]
        }
        merged.suites = parts.flatMap(\.suites)
        if merged.suites.count > 1 {
            // Offer the found suites reversed: a server with its own order still picks its first.
            let o = await send(hello(v, suites: merged.suites.reversed()))
            if let sh = o.serverHello {
                merged.serverOrder = sh.cipherSuite == merged.suites.first
                if merged.serverOrder == false {
                    merged.notes.append("\(v): the server follows the client's suite order")
                }
            }
        }
        return merged
    }

    /// Elimination over `offer`. A clean refusal (handshake_failure, protocol_version,
    /// insufficient_security: RFC 8446 §6.2) ends it. A refusal without an alert, or another
    /// alert, can mean that one offered suite breaks the server (seen with OpenSSL under
    /// `ALL:@SECLEVEL=0`: it picks a suite it cannot serve and drops the connection); then the
    /// rest is split in halves and each half eliminated on its own, down to single suites.
    func eliminate(_ v: TLSProtocolVersion, _ offer: [UInt16], depth: Int = 0) async -> SuiteEnumeration {
        var e = SuiteEnumeration()
        var remaining = offer
        while !remaining.isEmpty {
            let outcome = await send(hello(v, suites: remaining))
            var unclean: String?
            switch outcome {
            case .flight(let f):
                guard let sh = f.serverHello else { unclean = "no ServerHello"; break }
                let negotiated = sh.negotiatedVersion
                if negotiated != v {
                    if e.suites.isEmpty { e.rejection = "server answered with \(negotiated)" }
                    return e
                }
                guard let idx = remaining.firstIndex(of: sh.cipherSuite) else {
                    e.notes.append("\(v): server chose \(IANATables.suiteName(sh.cipherSuite)), which was not offered (RFC 5246 §7.4.1.3)")
                    return e
                }
                e.suites.append(sh.cipherSuite)
                remaining.remove(at: idx)
                continue
            case .alert(let a):
                if [TLSAlert.handshakeFailure, TLSAlert.protocolVersion, TLSAlert.insufficientSecurity].contains(a.alertDescription) {
                    if e.suites.isEmpty { e.rejection = a.description }
                    return e
                }
                unclean = a.description
            case .closed:
                unclean = "connection closed"
            case .malformed(let why):
                unclean = why
            case .couldNotTest(let why):
                if e.suites.isEmpty { e.untestable = why } else { e.notes.append("\(v): enumeration cut short: \(why)") }
                return e
            case .noStartTLS(let why):
                e.noStartTLS = why
                return e
            }
            // Unclean refusal: a single suite is simply not accepted. A list may hide acceptable
            // suites behind one the server picks and cannot serve (OpenSSL without DH
            // parameters picks DHE and drops the connection). Some servers (Dovecot) close
            // silently on every refusal, so splitting every silent refusal would cost a hello
            // per suite. Split finite-field DH suites from the rest first (the usual culprit),
            // then in halves, and only where something was accepted or at the first offer.
            guard remaining.count > 1, depth < 16 else {
                if e.suites.isEmpty { e.rejection = unclean }
                return e
            }
            let isDH: (UInt16) -> Bool = { ["DHE", "DH"].contains(CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange) }
            let dh = remaining.filter(isDH), other = remaining.filter { !isDH($0) }
            let parts: [[UInt16]]
            if !dh.isEmpty && !other.isEmpty {
                parts = [other, dh]
            } else if !e.suites.isEmpty || depth == 0 {
                let mid = remaining.count / 2
                parts = [Array(remaining[..<mid]), Array(remaining[mid...])]
            } else {
                if e.suites.isEmpty { e.rejection = unclean }
                return e
            }
            let results = await withTaskGroup(of: (Int, SuiteEnumeration).self) { tg in
                for (i, part) in parts.enumerated() { tg.addTask { (i, await eliminate(v, part, depth: depth + 1)) } }
                var out: [(Int, SuiteEnumeration)] = []
                for await r in tg { out.append(r) }
                return out.sorted { $0.0 < $1.0 }.map(\.1)
            }
            e.suites += results.flatMap(\.suites)
            e.notes += results.flatMap(\.notes)
            e.split = true
            if e.suites.isEmpty {
                e.rejection = results.compactMap(\.rejection).first ?? unclean
                e.untestable = results.compactMap(\.untestable).first
                e.noStartTLS = results.compactMap(\.noStartTLS).first
            }
            return e
        }
        return e
    }
}

/// `MXRAY_TLS_DEBUG=1` prints every hello and its outcome to stderr (for diagnosing odd servers).
let debugTLS = ProcessInfo.processInfo.environment["MXRAY_TLS_DEBUG"] != nil
func debugPrint(_ h: ClientHello, _ o: HelloOutcome) {
    let what: String
    switch o {
    case .flight(let f): what = "SH \(f.serverHello.map { "\($0.negotiatedVersion) \(IANATables.suiteName($0.cipherSuite))" } ?? "-")"
    default: what = "\(o)"
    }
    FileHandle.standardError.write(Data("hello \(h.legacyVersion) n=\(h.cipherSuites.count) -> \(what)\n".utf8))
}
