import DNSWire
import Foundation

/// A TTL-bounded cache shared by one run: answers of recursive queries (never those aimed at a
/// specific server) are kept for their TTL (negative answers for the SOA minimum, RFC 2308 §5),
/// failures are not kept. Returned TTLs count down as a resolver's do.
final class DNSCache: @unchecked Sendable {
    struct Key: Hashable {
        let question: DNSQuestion
        let dnssecOK: Bool
        let checkingDisabled: Bool
    }

    struct Entry {
        let answer: DNSAnswer
        let stored: ContinuousClock.Instant
        let expires: ContinuousClock.Instant
    }

    private var entries: [Key: Entry] = [:]
    private let lock = NSLock()
    let capacity: Int
    /// Longest time an answer is kept, whatever its TTL.
    let maxTTL: UInt32

    init(capacity: Int = 50_000, maxTTL: UInt32 = 3600) {
        self.capacity = capacity
        self.maxTTL = maxTTL
    }

    static func key(_ q: DNSQuery) -> Key { Key(question: q.question, dnssecOK: q.dnssecOK, checkingDisabled: q.checkingDisabled) }

    func get(_ q: DNSQuery, now: ContinuousClock.Instant = .now) -> DNSAnswer? {
        let k = Self.key(q)
        lock.lock()
        let e = entries[k]
        lock.unlock()
        guard let e, now < e.expires else { return nil }
        let elapsed = UInt32(max(0, (now - e.stored).components.seconds))
        var a = e.answer
        func age(_ rr: DNSResourceRecord) -> DNSResourceRecord {
            var r = rr
            r.ttl = rr.ttl > elapsed ? rr.ttl - elapsed : 0
            return r
        }
        a.answers = a.answers.map(age)
        a.authority = a.authority.map(age)
        let first = a.traces.last
        a.traces = [DNSTrace(question: q.question, server: first?.server ?? "cache", transport: .cache, id: nil,
                             rttMicroseconds: 0, rcode: a.rcode, flags: a.flags, answerCount: a.answers.count,
                             authorityCount: a.authority.count, additionalCount: a.additional.count)]
        return a
    }

    func put(_ a: DNSAnswer, now: ContinuousClock.Instant = .now) {
        guard a.query.server == nil else { return }
        switch a.status {
        case .answer, .nodata, .nxdomain: break
        default: return
        }
        guard let ttl = a.ttl, ttl > 0 else { return }
        let life = min(ttl, maxTTL)
        let e = Entry(answer: a, stored: now, expires: now + .seconds(Int(life)))
        lock.lock()
        if entries.count >= capacity { entries = entries.filter { now < $0.value.expires } }
        if entries.count < capacity { entries[Self.key(a.query)] = e }
        lock.unlock()
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }
}
