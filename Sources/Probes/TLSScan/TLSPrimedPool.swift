import NIOCore

/// Connections that have finished the STARTTLS preamble (connect, greeting, EHLO/CAPA,
/// STARTTLS) and wait for a ClientHello, under the per-host cap.
///
/// Elimination is a chain (offer, remove the pick, offer again): without priming, every link
/// pays the whole preamble (about four round trips, or a Dovecot login process spawned). The
/// pool keeps about one spare primed beside each hello in flight, so the next link of a chain
/// starts with its hello. Every connection counts against the cap, primed or not (DESIGN.md:
/// per-host cap). A primed connection sends nothing more: RFC 3207 §4.2 leaves nothing polite to
/// say between STARTTLS and the handshake, so spares left at the end are simply closed.
///
/// Preambles run as child tasks of `run` (structured); `close` aborts every connection the pool
/// knows of, so a preamble still running fails at its next read instead of waiting for its
/// step deadline.
actor TLSPrimedPool {
    typealias Prepared = Result<ProbeConnection, TLSHelloProbe.PreambleError>

    /// Hands a connection from the task that primed it to the one that uses it: one task owns
    /// it at a time.
    struct Handover: @unchecked Sendable {
        let prepared: Prepared
        var connection: ProbeConnection? { if case .success(let c) = prepared { c } else { nil } }
    }

    struct Stats: Sendable {
        var primed = 0
        var unused = 0
        var stale = 0
        /// Preambles the server answered with its connection limit (`ServerLimit`), retried.
        var throttled = 0
    }

    /// The per-host cap, lowered by one for each answer of the server's own limit.
    private(set) var capacity: Int
    private var budget: ServerLimit.Budget
    private var inUse = 0
    private var priming = 0
    private var ready: [Handover] = []
    /// Waiting takers, each with its priority (lower first, then in arrival order).
    private var waiters: [(priority: Int, continuation: CheckedContinuation<Handover, Never>)] = []
    private var live: [ObjectIdentifier: Handover] = [:]
    private var closed = false
    private(set) var stats = Stats()
    /// Each element starts one preamble, after the pause it carries.
    private let requests: AsyncStream<Duration>.Continuation
    private let stream: AsyncStream<Duration>

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        budget = ServerLimit.Budget(cap: max(1, capacity))
        (stream, requests) = AsyncStream<Duration>.makeStream()
    }

    /// Runs `body` while preambles run beside it, started by `prepare`; closes the pool after.
    ///
    /// Cannot hang: a watchdog closes the pool at `deadline` (the scan's overall deadline and a
    /// grace), which hands every waiting `take` a "could not test" and aborts every connection,
    /// so `body` ends; cancelling the task closes it too.
    static func run<T: Sendable>(capacity: Int, deadline: ContinuousClock.Instant,
                                 prepare: @escaping @Sendable (TLSPrimedPool) async -> Prepared,
                                 _ body: @escaping @Sendable (TLSPrimedPool) async -> T) async -> T {
        let pool = TLSPrimedPool(capacity: capacity)
        return await withTaskCancellationHandler {
            await withTaskGroup(of: T?.self) { group in
                group.addTask {
                    let r = await body(pool)
                    await pool.close()
                    return r
                }
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    // Cancelled: by the scan's own end (the pool is closed already) or from outside.
                    await pool.close(reason: Task.isCancelled ? "scan cancelled" : "scan deadline passed while waiting for a connection")
                    return nil
                }
                for await pause in pool.stream {
                    group.addTask {
                        if pause > .zero { try? await Task.sleep(for: pause) }
                        await pool.deliver(await prepare(pool))
                        return nil
                    }
                }
                var result: T?
                while let r = await group.next() {
                    // The body's result: the watchdog and any preamble left are not needed.
                    if let r { result = r; group.cancelAll() }
                }
                return result!
            }
        } onCancel: {
            Task { await pool.close(reason: "scan cancelled") }
        }
    }

    /// A connection ready for its hello (or why none could be prepared); give it back with
    /// `finished` once the hello's answer is read. `priority`: 0 for the next link of a chain
    /// (the scan's critical path), 1 for a hello that may start a chain, 2 for a one-off hello
    /// nothing waits on. Spares are kept for chains: a one-off hello gets a primed connection
    /// only beyond one spare per chain hello in flight.
    func take(priority: Int = 1) async -> Handover {
        if closed { return Handover(prepared: .failure(.couldNotTest(closeReason))) }
        while !ready.isEmpty && (priority <= 1 || ready.count > spareTarget) {
            let h = ready.removeLast()
            if let c = h.connection, c.inbox.state.withLockedValue({ $0.eof || $0.error != nil }) {
                // Closed while it waited (an idle timeout): not an answer to anything.
                c.abort()
                live[ObjectIdentifier(c)] = nil
                stats.stale += 1
                continue
            }
            markInUse(priority)
            topUp()
            return h
        }
        return await withCheckedContinuation { c in
            let at = waiters.firstIndex { $0.priority > priority } ?? waiters.endIndex
            waiters.insert((priority, c), at: at)
            topUp()
        }
    }

    /// The hello on a taken connection is done (the connection is aborted by its user).
    func finished(_ h: Handover, priority: Int = 1) {
        if let c = h.connection { live[ObjectIdentifier(c)] = nil }
        inUse -= 1
        if priority <= 1 { chainsInUse -= 1 }
        topUp()
    }

    /// Called by the preamble as soon as it has a socket, so `close` can abort it.
    func register(_ h: Handover) {
        guard let c = h.connection else { return }
        if closed { c.abort() } else { live[ObjectIdentifier(c)] = h }
    }

    private var chainsInUse = 0
    /// About one spare per hello in flight that a next link may follow.
    private var spareTarget: Int { chainsInUse }

    private func markInUse(_ priority: Int) {
        inUse += 1
        if priority <= 1 { chainsInUse += 1 }
    }

    private func deliver(_ p: Prepared) {
        priming -= 1
        if case .success = p { budget.markServed() }
        // The server's connection limit: one connection fewer at a time, and this preamble
        // again after a pause, while the budget lasts (`ServerLimit`).
        if !closed, case .failure(.couldNotTest(let why)) = p, ServerLimit.isThrottle(why), let attempt = budget.retry() {
            stats.throttled += 1
            if capacity > 1 { capacity -= 1 }
            priming += 1
            requests.yield(ServerLimit.pause(attempt: attempt))
            return
        }
        let h = Handover(prepared: p)
        if closed {
            h.connection?.abort()
            return
        }
        stats.primed += 1
        if let w = waiters.first, w.priority <= 1 || ready.count >= spareTarget || h.connection == nil {
            waiters.removeFirst()
            markInUse(w.priority)
            w.continuation.resume(returning: h)
        } else {
            ready.append(h)
        }
        topUp()
    }

    /// Hands ready connections to waiters (chain hellos always; one-off hellos only beyond the
    /// spares kept for chains, or a failed preparation, which is no use as a spare), then starts
    /// preambles for the waiting chain hellos, then spares, then one-off hellos, within the cap.
    private func topUp() {
        guard !closed else { return }
        while let w = waiters.first, let i = ready.lastIndex(where: { w.priority <= 1 || ready.count > spareTarget || $0.connection == nil }) {
            let h = ready.remove(at: i)
            if let c = h.connection, c.inbox.state.withLockedValue({ $0.eof || $0.error != nil }) {
                c.abort()
                live[ObjectIdentifier(c)] = nil
                stats.stale += 1
                continue
            }
            waiters.removeFirst()
            markInUse(w.priority)
            w.continuation.resume(returning: h)
        }
        let free = capacity - inUse - priming - ready.count
        let wanted = waiters.count + spareTarget - priming - ready.count
        let n = min(free, wanted)
        guard n > 0 else { return }
        priming += n
        for _ in 0..<n { requests.yield(.zero) }
    }

    /// Closes spares, aborts every connection it knows of (preambles still running, hellos in
    /// flight) and answers every waiting `take` with `reason`. Later `take`s get `reason` at once.
    func close(reason: String = "scan ended") {
        guard !closed else { return }
        closed = true
        closeReason = reason
        stats.unused = ready.filter { $0.connection != nil }.count
        for h in ready { h.connection?.abort() }
        ready = []
        for (_, h) in live { h.connection?.abort() }
        live = [:]
        requests.finish()
        for w in waiters { w.continuation.resume(returning: Handover(prepared: .failure(.couldNotTest(reason)))) }
        waiters = []
    }
    private var closeReason = "scan ended"
}
