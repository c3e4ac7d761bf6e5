import NIOConcurrencyHelpers

/// Lets the dispatcher sleep until a deadline or until something wakes it (a reload, a
/// finished run, shutdown), whichever comes first. A `poke()` while nobody waits is kept, so
/// a wake-up is never lost.
final class Waker: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, Never>?
        var pending = false
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    func poke() {
        let c = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if let c = s.continuation {
                s.continuation = nil
                return c
            }
            s.pending = true
            return nil
        }
        c?.resume()
    }

    /// Returns after `timeout` or at the next `poke()`.
    func wait(timeout: Duration) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let generation = state.withLockedValue { s -> Int? in
                if s.pending {
                    s.pending = false
                    return nil
                }
                s.generation += 1
                s.continuation = c
                return s.generation
            }
            guard let generation else { return c.resume() }
            Task {
                try? await Task.sleep(for: timeout)
                self.fire(generation)
            }
        }
    }

    private func fire(_ generation: Int) {
        let c = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            guard s.generation == generation, let c = s.continuation else { return nil }
            s.continuation = nil
            return c
        }
        c?.resume()
    }
}
