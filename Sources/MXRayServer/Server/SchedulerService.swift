import Foundation
import ServiceLifecycle

/// The scheduler as a ServiceLifecycle service: on graceful shutdown it stops starting runs and
/// returns once the runs in flight are written; retention runs hourly.
public struct SchedulerService: Service {
    let context: ServerContext

    public init(context: ServerContext) { self.context = context }

    public func run() async throws {
        let scheduler = context.scheduler
        let ctx = context
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await scheduler.run() }
                group.addTask {
                    // Retention: at start, then hourly, until the scheduler stops.
                    while !Task.isCancelled {
                        let h = ctx.config.history
                        do {
                            let n = try ctx.history.applyRetention(keepDays: h.keepDays, keepRuns: h.keepRuns)
                            if n > 0 { ServerLog.info("retention removed \(n) runs") }
                        } catch { ServerLog.error("retention: \(error)") }
                        try? await Task.sleep(for: .seconds(3600))
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            ServerLog.info("shutting down: waiting for the checks in flight")
            scheduler.stop()
        }
    }
}

/// SIGHUP → reload, as a service.
public struct ReloadSignalService: Service {
    let context: ServerContext

    public init(context: ServerContext) { self.context = context }

    public func run() async throws {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        await withGracefulShutdownHandler {
            for await _ in stream.cancelOnGracefulShutdown() {
                ServerLog.info("SIGHUP: reloading \(context.configPath ?? "-")")
                await context.reload()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }
}
