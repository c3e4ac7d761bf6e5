import ArgumentParser
import Foundation
import MXRayServer

/// `mxray serve --config mxray.yaml`: scheduled checks, history, /metrics, web UI and API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Monitor mail domains on a schedule: history, Prometheus /metrics, /probe, web UI, API, alerts.",
        discussion: """
        Runs every configured target at its interval (default 5 min, with jitter), stores each
        run's report and what changed since the previous run in SQLite, exports Prometheus
        metrics on /metrics and serves the dashboard, the JSON API and a blackbox-style /probe.
        SIGHUP or POST /-/reload re-reads the configuration; a bad one keeps the old one and
        says why. SIGTERM/SIGINT finish the checks in flight, then stop. Every run also feeds
        anomaly detectors (connect/handshake time and success per address and port, round-trip
        time): an episode becomes an alert with its explanation, an `mxray_anomaly_active`
        series and a line on the target page; latency trends and certificate expiry are
        forecast (`mxray_forecast_*`). With `ledger:` every fired alert is appended to an
        evidence ledger (`mxray ledger verify` checks it). The configuration format is
        documented in docs/serve.md.

        Examples:
          mxray serve --config mxray.yaml
          mxray serve --config mxray.yaml --check-config
          mxray ledger keygen --name mx.example.org/evidence --out /etc/mxray/ledger.key   # for ledger: key_file
          mxray ledger verify /var/lib/mxray/evidence.ledger --vkey-file /etc/mxray/ledger.key.pub
          echo 'a long passphrase' | mxray serve --hash-password
        """
    )

    @Option(help: "The YAML configuration file (see docs/serve.md).")
    var config: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print a summary and exit (0 valid, 2 not).")
    var checkConfig = false

    @Flag(name: .customLong("hash-password"), help: "Read a password from stdin and print its bcrypt hash for auth.users.")
    var hashPassword = false

    func validate() throws {
        if !hashPassword, config == nil { throw ValidationError("give --config FILE (or --hash-password)") }
    }

    func run() async throws {
        if hashPassword {
            let line = readLine(strippingNewline: true) ?? ""
            guard !line.isEmpty else { throw MXRayError.usage("no password on stdin") }
            print(ServeRunner.hashPassword(line))
            return
        }
        guard let config else { return }
        if checkConfig {
            do {
                let c = try ServeConfig.load(path: config)
                print("\(config): valid, \(c.targets.count) targets, listen \(c.listen), history \(c.history.path)")
            } catch let e as ServeConfigError { throw MXRayError.usage(e.description) }
            return
        }
        do { try await ServeRunner.run(configPath: config) } catch let e as ServeConfigError {
            throw MXRayError.couldNotRun(e.description)
        }
    }
}
