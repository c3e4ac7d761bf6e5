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
        let deadlines = Deadlines(overall: .now() + options.overallTimeout)
        let probe = TLSHelloProbe(options: options, group: group, deadlines: deadlines)
        // Every step ends by the overall deadline; the pool's watchdog, a second later, is the
        // guarantee that a scan ends even if something waits on the pool that never answers.
        let watchdog = ContinuousClock.now + .nanoseconds(options.overallTimeout.nanoseconds) + .seconds(1)
        let (scanned, pooled) = await TLSPrimedPool.run(capacity: options.perHostConcurrency, deadline: watchdog, prepare: { pool in
            await probe.openAndPrepare(onConnect: { await pool.register($0) })
        }) { pool in
            let ctx = ScanContext(probe: probe, pool: pool, options: options)
            return (await scan(ctx, deadlines: deadlines), await (pool.stats, pool.capacity))
        }
        var result = scanned
        let (stats, cap) = pooled
        if stats.throttled > 0 {
            result.notes.append("the server answered \(stats.throttled) connection\(stats.throttled == 1 ? "" : "s") with its connection limit "
                + "(RFC 5321 §3.8 421, or BYE/-ERR); the scan went on with at most \(cap) at a time")
        }
        if debugTLS || debugPhases {
            FileHandle.standardError.write(Data(("hellos by phase: " + result.notes.filter { $0.hasPrefix("phase ") }.joined(separator: ", ")
                + "; primed \(stats.primed), unused \(stats.unused), stale \(stats.stale), throttled \(stats.throttled)\n").utf8))
        }
        result.notes.removeAll { $0.hasPrefix("phase ") }
        result.milliseconds = stopwatch.milliseconds
        return result
    }

    private func scan(_ ctx: ScanContext, deadlines: Deadlines) async -> TLSScanResult {
        var result = TLSScanResult(host: options.host, address: options.address, port: options.port,
                                   starttls: options.starttls?.rawValue)

        // Groups and the certificate need no earlier answer: they start at once, beside the
        // versions (the critical path of a scan is its longest elimination chain). TLS 1.3
        // suites and groups share their hellos.
        async let tls13 = ctx.enumerateTLS13()
        async let groups12: [UInt16] = ctx.enumerateGroups12(suites: ctx.candidates(.tls12).filter {
            IANATables.traits($0).keyExchange == "ECDHE" })
        async let certificate: CertificateReport? = options.fetchCertificate
            ? ctx.withConnection(phase: "certificate", priority: 2) { await TLSCertificateFetcher(options: options, group: group, deadlines: deadlines).fetch(on: $0) }
            : nil

        // The fallback test depends on the versions, but nearly always on TLS 1.2: asked at once
        // at 1.2 with every candidate, kept when 1.2 is what it needs.
        async let resumption: (ticket: Bool?, sessionID: Bool?) = options.testResumption ? ctx.resumption() : (nil, nil)
        let speculative = options.speculativeFallback
        async let fallback12: Bool?? = speculative ? .some(await ctx.fallbackSCSV(.tls12, suites: ctx.candidates(.tls12))) : nil

        // Versions and suites: every version in parallel, each by elimination.
        // TLS 1.3 suites come with its groups (`enumerateTLS13`): the same hellos find both.
        // SSLv3 beside TLS 1.0, whose answer tells whether SSLv3's rarer suites need asking.
        let scanned = TLSProtocolVersion.scanned
        var perVersion = await withTaskGroup(of: [(TLSProtocolVersion, SuiteEnumeration)].self) { tg in
            for v in scanned.reversed() where v != .tls13 && v != .ssl3 && v != .tls10 { tg.addTask { [(v, await ctx.enumerateSuites(v))] } }
            let low = scanned.filter { $0 == .ssl3 || $0 == .tls10 }
            if !low.isEmpty {
                tg.addTask {
                    guard low.contains(.tls10) else { return [(.ssl3, await ctx.enumerateSuites(.ssl3))] }
                    guard low.contains(.ssl3) else { return [(.tls10, await ctx.enumerateSuites(.tls10))] }
                    async let ssl3Likely = ctx.ssl3Likely()
                    let e10 = await ctx.enumerateSuites(.tls10)
                    let ssl3 = await ctx.enumerateSSL3(likely: await ssl3Likely, tls10Refused: e10.refusedAsAVersion)
                    return [(.tls10, e10), (.ssl3, ssl3)]
                }
            }
            var out: [TLSProtocolVersion: SuiteEnumeration] = [:]
            for await pairs in tg { for (v, e) in pairs { out[v] = e } }
            return out
        }
        let (suites13, g13) = await tls13
        if TLSProtocolVersion.scanned.contains(.tls13) { perVersion[.tls13] = suites13 }
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
            } else if let first = reasons.first {
                // Some versions refused, others never answered: "no TLS" would be a guess.
                result.status = .couldNotTest
                result.statusDetail = first
            } else {
                result.status = .noTLS
                result.statusDetail = "no protocol version accepted"
            }
        }

        let (g12, cert) = await (groups12, certificate)
        let specFallback = await fallback12
        if !result.acceptedVersions.isEmpty {
            // Features and the fallback test need the accepted versions and suites.
            let snapshot = result
            let accepted = snapshot.acceptedVersions
            let fallbackVersion = accepted.count >= 2 ? accepted[accepted.count - 2] : nil
            // At 1.2 the suite hellos showed the features (`FeatureTap`): no hello of their own.
            async let features = ctx.features(snapshot)
            async let fallback = fallbackVersion == .tls12 && specFallback != nil ? specFallback! : ctx.fallbackSCSV(snapshot)
            result.groups = snapshot.acceptedVersions.contains(.tls13) ? g13 : []
            result.groupsTLS12 = snapshot.acceptedVersions.contains(.tls12) ? g12 : []
            let f = await features
            result.features = f.0
            // The DHE prime from the best version whose elimination picked a DHE suite.
            result.dhPrimeBits = f.1 ?? TLSProtocolVersion.scanned.reversed().lazy.compactMap { perVersion[$0]?.dhPrimeBits }.first
            result.features.fallbackSCSV = await fallback
            if accepted.contains(.tls12) {
                (result.features.resumedWithTicket, result.features.resumedWithSessionID) = await resumption
            }
            result.conclude(certificate: cert, options: options, deadlines: deadlines)
        }
        // A server that stops answering part-way (busy, throttling: the issue's "could not
        // test", never "no TLS") leaves versions, suites or groups unfound: nothing may then be
        // reported missing. What was found stays in the result for the reader.
        let unanswered = await ctx.counter.unanswered
        if result.status == .completed, let first = unanswered.first {
            result.status = .couldNotTest
            result.statusDetail = "\(unanswered.count) hello\(unanswered.count == 1 ? "" : "s") of the enumeration got no answer (\(first)); "
                + "the server is busy or throttling, so the versions, suites and groups found are incomplete"
        }
        result.connections = await ctx.counter.value
        result.notes += await ctx.counter.phases.sorted { $0.key < $1.key }.map { "phase \($0.key)=\($0.value)" }
        return result
    }
}

/// `MXRAY_TLS_DEBUG=1` prints every hello and its outcome to stderr (for diagnosing odd servers).
let debugTLS = ProcessInfo.processInfo.environment["MXRAY_TLS_DEBUG"] != nil
/// `MXRAY_TLS_PHASES=1` prints the hellos sent per phase of the scan and the pool's counts.
let debugPhases = ProcessInfo.processInfo.environment["MXRAY_TLS_PHASES"] != nil
func debugPrint(_ h: ClientHello, _ o: HelloOutcome, phase: String) {
    let what: String
    switch o {
    case .flight(let f): what = "SH \(f.serverHello.map { "\($0.negotiatedVersion) \(IANATables.suiteName($0.cipherSuite))" } ?? "-")"
    default: what = "\(o)"
    }
    FileHandle.standardError.write(Data("[\(phase)] hello \(h.legacyVersion) n=\(h.cipherSuites.count) -> \(what)\n".utf8))
}

extension TLSScanResult {
    /// How a scan that found TLS ends, full or quick: the certificate (or a note that its
    /// handshake failed) and, when the overall deadline passed, "could not test".
    mutating func conclude(certificate: CertificateReport?, options: TLSScanOptions, deadlines: Deadlines) {
        switch certificate {
        case .some(let report): self.certificate = report
        case .none: if options.fetchCertificate { notes.append(Self.certificateFailedNote) }
        }
        if deadlines.exceeded {
            status = .couldNotTest
            statusDetail = "scan deadline of \(options.overallTimeout.nanoseconds / 1_000_000_000) s passed"
        }
    }
}
