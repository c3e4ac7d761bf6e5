import Foundation
import Hummingbird
import HummingbirdBcrypt
import ServiceLifecycle

/// What `mxray serve` runs: the HTTP application, the scheduler and the SIGHUP reloader in one
/// ServiceGroup that shuts down gracefully on SIGTERM/SIGINT (runs in flight are finished and
/// written first).
public enum ServeRunner {
    public static func run(configPath: String) async throws {
        let config = try ServeConfig.load(path: configPath)
        let context = try ServerContext(config: config, configPath: configPath)
        ServerLog.info("history \(config.history.path) (journal \((try? context.history.journalMode()) ?? "?")), \(config.targets.count) targets")
        // The application's ServiceGroup shuts down in reverse order: the HTTP server first, then
        // the reloader, then the scheduler (which finishes and writes the runs in flight).
        let app = ServerApp.application(context: context, services: [SchedulerService(context: context), ReloadSignalService(context: context)]) { port in
            ServerLog.info("listening on http://\(config.listen.host.contains(":") ? "[\(config.listen.host)]" : config.listen.host):\(port)")
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        ServerLog.info("stopped")
    }

    /// A bcrypt hash (cost 12) for `auth.users[].password_bcrypt`.
    public static func hashPassword(_ password: String) -> String {
        Bcrypt.hash(password, cost: 12)
    }
}
