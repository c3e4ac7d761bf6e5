import Foundation
import MailCore
import NIOCore
import TLSWire

/// The features a TLS 1.2 suite hello shows in passing (its ServerHello's extensions, read to
/// ServerHelloDone): with every suite hello carrying the feature extensions and DEFLATE, and the
/// reversed-order hello no session_ticket, the scan needs no hello of its own for them at 1.2.
actor FeatureTap {
    private(set) var main: ServerFlight?
    private(set) var noTicket: ServerHello?
    func keep(_ f: ServerFlight, offeredTicket: Bool, compression: Bool) {
        if offeredTicket, compression, main == nil { main = f }
        if !offeredTicket, noTicket == nil { noTicket = f.serverHello }
    }
}

actor Counter {
    private(set) var value = 0
    /// Hellos per scan phase (`MXRAY_TLS_PHASES=1` prints them).
    private(set) var phases: [String: Int] = [:]
    /// Set once a connection shows the port cannot be scanned at all (nothing listens, filtered,
    /// no STARTTLS): later hellos return it at once instead of waiting for their own timeouts.
    private(set) var fatal: HelloOutcome?
    func bump(_ phase: String) {
        value += 1
        phases[phase, default: 0] += 1
    }
    func stop(_ o: HelloOutcome) { if fatal == nil { fatal = o } }
    /// Hellos of the enumeration (versions, suites, groups) that got no answer at all: a busy
    /// or throttling server. Their part of the scan is incomplete, so what was not found there
    /// cannot be reported as missing.
    private(set) var unanswered: [String] = []
    func noAnswer(_ phase: String, _ why: String) { unanswered.append("\(phase): \(why)") }
}

/// Shared pieces of one scan; every hello goes through the pool (the per-host cap).
struct ScanContext: Sendable {
    let probe: TLSHelloProbe
    let pool: TLSPrimedPool
    let options: TLSScanOptions
    let counter = Counter()
    let clock = Stopwatch()
    let tap = FeatureTap()

    /// `phase` names the part of the scan for the per-phase counts.
    /// `priority` orders hellos waiting for a connection: 0 for the next link of a chain, 1 for
    /// the first hellos of each part, 2 for one-off hellos nothing else waits on.
    func send(_ hello: ClientHello, phase: String, priority: Int = 1, fullFlight: Bool = false) async -> HelloOutcome {
        if let fatal = await counter.fatal { return fatal }
        let asked = clock.milliseconds
        let (o, taken) = await withConnection(phase: phase, priority: priority) { prepared in
            let taken = clock.milliseconds
            return (await probe.exchange(hello, on: prepared, fullFlight: fullFlight), taken)
        }
        if debugTLS {
            let t = String(format: "%.0f+%.0f+%.0f ms", asked, taken - asked, clock.milliseconds - taken)
            debugPrint(hello, o, phase: "\(phase) p\(priority) \(t)")
        }
        switch o {
        case .couldNotTest(let why) where why.hasPrefix("connect"): await counter.stop(o)
        case .noStartTLS: await counter.stop(o)
        default: break
        }
        if case .couldNotTest(let why) = o, Self.isEnumeration(phase) { await counter.noAnswer(phase, why) }
        if phase == "suites \(TLSProtocolVersion.tls12)", case .flight(let f) = o, let sh = f.serverHello, sh.negotiatedVersion == .tls12 {
            await tap.keep(f, offeredTicket: hello.sessionTicket, compression: hello.compressionMethods.contains(1))
        }
        return o
    }

    /// Phases whose answers decide what the server accepts (not features, the fallback test,
    /// resumption or the certificate, which report "unknown" on their own).
    static func isEnumeration(_ phase: String) -> Bool {
        phase.hasPrefix("suites") || phase.hasPrefix("TLS 1.3") || phase.hasPrefix("groups")
    }

    /// `hello` on a connection taken from the pool beforehand; gives it back.
    func send(_ hello: ClientHello, on h: TLSPrimedPool.Handover, phase: String, priority: Int) async -> HelloOutcome {
        await counter.bump(phase)
        let o: HelloOutcome
        if probe.deadlines.exceeded {
            h.connection?.abort()
            o = .couldNotTest("scan deadline passed")
        } else {
            o = await probe.exchange(hello, on: h.prepared, fullFlight: false)
        }
        await pool.finished(h, priority: priority)
        if debugTLS { debugPrint(hello, o, phase: "\(phase) p\(priority) (taken early)") }
        return o
    }

    /// Gives back a connection taken early and not used.
    func release(_ h: TLSPrimedPool.Handover, priority: Int) async {
        h.connection?.abort()
        await pool.finished(h, priority: priority)
    }

    /// Runs `body` on a prepared connection (primed when one is ready) under the per-host cap;
    /// `body` aborts the connection when done.
    func withConnection<T: Sendable>(phase: String, priority: Int = 1,
                                     _ body: @Sendable (Result<ProbeConnection, TLSHelloProbe.PreambleError>) async -> T) async -> T {
        let h = await pool.take(priority: priority)
        await counter.bump(phase)
        let r: T
        if probe.deadlines.exceeded {
            h.connection?.abort()
            r = await body(.failure(.couldNotTest("scan deadline passed")))
        } else {
            r = await body(h.prepared)
        }
        await pool.finished(h, priority: priority)
        return r
    }

    static func random() -> [UInt8] { TLSOffers.random() }
    static var classicGroups: [UInt16] { TLSOffers.classicGroups }
    /// TLS 1.0–1.2 suite hellos also offer DEFLATE (RFC 3749), which does not change the
    /// server's suite pick, so any of their answers shows the features (`FeatureTap`).
    func hello(_ v: TLSProtocolVersion, suites: [UInt16]) -> ClientHello {
        var h = TLSOffers.hello(v, suites: suites, host: options.host)
        if v > .ssl3 && v < .tls13 { h.compressionMethods = [1, 0] }
        return h
    }
    func candidates(_ v: TLSProtocolVersion) -> [UInt16] { TLSOffers.candidates(v) }

    static func isFiniteFieldDH(_ s: UInt16) -> Bool {
        ["DHE", "DH"].contains(IANATables.traits(s).keyExchange)
    }

    /// The candidates cut into offers of at most `maxSuitesPerHello` (servers choke on big
    /// hellos): the likeliest first, both families together (one chain over it yields the
    /// server's order); the rest by family, finite-field DH apart, so that a server without DH
    /// parameters that picks one and drops the connection cannot hide the others, and a silent
    /// refusal needs no split. Below TLS 1.2 the AEAD suites are left out: RFC 5246 §6.2.3.3
    /// brought AEAD record protection, and RFC 5288 §4 / RFC 7905 §2 forbid negotiating them
    /// before 1.2.
    func chunks(_ v: TLSProtocolVersion) -> [[UInt16]] {
        var all = candidates(v)
        if v < .tls12 { all = all.filter { !IANATables.traits($0).isAEAD } }
        let size = max(1, options.maxSuitesPerHello)
        func cut(_ xs: [UInt16]) -> [[UInt16]] {
            stride(from: 0, to: xs.count, by: size).map { Array(xs[$0..<min($0 + size, xs.count)]) }
        }
        // SSLv3 (RFC 7568) is asked only to be refused: every chunk one family.
        let head = v == .ssl3 ? [] : Array(all.prefix(size))
        let rest = v == .ssl3 ? all : Array(all.dropFirst(size))
        return cut(head) + cut(rest.filter { !Self.isFiniteFieldDH($0) }) + cut(rest.filter(Self.isFiniteFieldDH))
    }

    static func deal<T>(_ items: [T], into k: Int, maxSize: Int) -> [[T]] {
        guard !items.isEmpty else { return [] }
        let size = max(1, maxSize)
        let n = min(items.count, max(k, (items.count + size - 1) / size))
        var parts = [[T]](repeating: [], count: n)
        for (i, x) in items.enumerated() { parts[i % n].append(x) }
        return parts
    }
}
