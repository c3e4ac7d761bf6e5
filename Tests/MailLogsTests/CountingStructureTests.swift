import Foundation
import Testing
@testable import MailLogs

/// The structures behind `mxray logs` throughput (issue 8): the queue-id table, the byte counter's
/// record layout, and sender/recipient domains derived from the address counters.
@Suite struct CountingStructureTests {
    /// A small deterministic generator (no Foundation randomness, same sequence on every run).
    struct Gen { var s: UInt64; mutating func next(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int((s >> 33) % UInt64(n)) } }

    @Test func queueTableAgreesWithDictionary() {
        var table = QueueTable()
        var model: [QueueKey: Int64] = [:]
        var g = Gen(s: 7)
        for step in 0..<60_000 {
            let id = String(0x4444100000 + g.next(5000), radix: 16, uppercase: true)
            let key = withLineBytes(id) { QueueKey($0, Span(0, $0.count)) }
            switch g.next(4) {
            case 0, 1:
                var st = table[key] ?? QState()
                st.size = Int64(step)
                let name = String(repeating: "h", count: g.next(70)) + ".example"
                var n = name
                n.withUTF8 { table.setClientName(key, &st, $0) }
                table[key] = st
                model[key] = Int64(step)
                #expect(table.clientName(key, st) == name)
            case 2:
                #expect((table.removeValue(forKey: key) != nil) == (model.removeValue(forKey: key) != nil))
            default:
                #expect(table[key]?.size == model[key])
            }
        }
        #expect(table.count == model.count)
        var seen = 0
        table.forEach { k, v, name in seen += 1; #expect(model[k] == v.size); #expect(name != nil) }
        #expect(seen == model.count)
    }

    @Test func byteCounterCountsExactlyBelowItsCap() {
        var c = ByteCounter(capacity: 20_000)
        var model: [String: (Int64, Int64)] = [:]
        var g = Gen(s: 11)
        for _ in 0..<50_000 {
            // At most 5 × 100 × 20 distinct keys of lengths 6…34, so both the word-wise and the
            // byte-wise compares are used and the cap is never reached.
            let k = String(repeating: "x", count: g.next(5)) + "user\(g.next(100))@" + String(repeating: "d", count: g.next(20))
            let bytes = Int64(g.next(1000))
            c.add(k, bytes: bytes)
            model[k, default: (0, 0)].0 += 1
            model[k, default: (0, 0)].1 += bytes
        }
        #expect(!c.approximate)
        #expect(c.distinct == model.count)
        #expect(c.total == 50_000)
        for (k, v) in model.prefix(500) { #expect(c.count(of: k) == v.0) }
        let top = c.top(5)
        let expected = model.sorted { $0.value.0 != $1.value.0 ? $0.value.0 > $1.value.0 : $0.key < $1.key }.prefix(5)
        #expect(top.map(\.key) == expected.map(\.key))
        #expect(top.map(\.bytes) == expected.map(\.value.1))
    }

    /// Domains are derived from the address counters; past the address cap the dropped addresses'
    /// domains are still counted, so domain figures stay exact while addresses go approximate.
    @Test func domainsStayExactWhenAddressesArePruned() {
        var lines: [String] = []
        var g = Gen(s: 3)
        var recipientsPerDomain: [String: Int64] = [:]
        for i in 0..<4000 {
            let q = String(0x5550000 + i, radix: 16, uppercase: true)
            let dom = "d\(g.next(7)).example"
            lines.append("Nov 27 00:00:\(String(format: "%02d", i % 60)) mx1 postfix/smtpd[1]: \(q): client=h.example[10.0.0.1]")
            lines.append("Nov 27 00:00:\(String(format: "%02d", i % 60)) mx1 postfix/qmgr[2]: \(q): from=<s\(i)@\(dom)>, size=100, nrcpt=1 (queue active)")
            let rdom = "r\(g.next(5)).example"
            recipientsPerDomain[rdom, default: 0] += 1
            lines.append("Nov 27 00:00:\(String(format: "%02d", i % 60)) mx1 postfix/smtp[3]: \(q): to=<u\(i)@\(rdom)>, relay=mx.\(rdom)[192.0.2.1]:25, delay=0.1, delays=0.01/0/0.05/0.04, dsn=2.0.0, status=sent (250 2.0.0 Ok)")
        }
        var opts = AggregatorOptions()
        opts.cardinalityCap = 100
        var agg = LogAggregator(options: opts)
        var dec = LogDecoder(format: .postfix, years: YearInference(referenceYear: 2026, referenceMonth: 11))
        for l in lines { withLineBytes(l) { b in dec.decode(b) { e, bb in agg.consume(&e, bb) } } }
        let s = agg.summary()
        #expect(s.totals.senders >= 3000, "HLL estimate of 4000 distinct senders: \(s.totals.senders)")
        #expect(s.totals.sendingDomains == 7)
        #expect(s.totals.recipientDomains == Int64(recipientsPerDomain.count))
        for kc in s.top.recipientDomains { #expect(kc.count == recipientsPerDomain[kc.key], "\(kc.key)") }
        #expect(s.top.senderDomains.reduce(0) { $0 + $1.count } == 4000)
    }

    /// The histogram's table lookup must put every delay in the bucket `log2` would: random values
    /// over the whole range plus values a hair either side of every bucket edge.
    @Test func histogramIndexEqualsLog2() {
        func reference(_ v: Double) -> Int {
            let ms = v * 1000
            return ms < 1 ? 0 : min(1 + Int(log2(ms) * 32), 32 * 32)
        }
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0, 0.0005, 0.001, 0.002, 1, 1e6, 4_294_967.296, 1e12]
        for _ in 0..<200_000 { values.append(exp2(Double.random(in: -12...34, using: &rng))) }
        for e in -10...33 {
            for k in 0..<32 {
                let edge = exp2(Double(e) + Double(k) / 32) / 1000
                values += [edge, edge.nextUp, edge.nextDown, edge * (1 + 1e-12), edge * (1 - 1e-12)]
            }
        }
        var mismatches = 0
        for v in values where LogHistogram.index(v) != reference(v) { mismatches += 1 }
        #expect(mismatches == 0, "\(mismatches) of \(values.count) values land in another bucket than log2 puts them")
    }

    /// The splitter reads in chunks smaller than its buffer: a line longer than a chunk (but within
    /// the buffer) still comes out whole, and the lines around it too.
    @Test func lineLongerThanAReadChunkStaysWhole() throws {
        struct Source: ByteSource {
            var data: [UInt8], at = 0
            mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
                let n = min(buffer.count, data.count - at)
                if n > 0 { data.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[at..<at + n])) } }
                at += n
                return n
            }
        }
        let long = String(repeating: "x", count: LineSplitter.chunkSize * 3 + 17)
        let text = "first\n" + long + "\r\nlast"
        var source = Source(data: Array(text.utf8))
        var splitter = LineSplitter()
        var got: [String] = []
        try splitter.run(&source) { got.append($0.text) }
        #expect(got == ["first", long, "last"])
        #expect(splitter.bytes == Int64(text.utf8.count))
    }
}
