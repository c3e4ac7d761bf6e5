import Foundation
import Ledger
@testable import MXRayServer
import Testing

/// The `anomalies:`, `forecast:` and `ledger:` blocks of the serve configuration.
@Suite struct IntelConfigTests {
    static let base = """
        listen: 127.0.0.1:0
        targets: [{name: t, domain: good.lab.test}]
        alerts:
          receivers: [{name: hook, webhook: "http://127.0.0.1:9/hook"}]
        """

    @Test func defaultsAndExplicitValues() throws {
        let d = try ServeConfig.parse(yaml: Self.base)
        #expect(d.anomalies.alerts && d.anomalies.severity == "warning" && d.ledger == nil)
        #expect(d.forecast.latencyLimitSeconds == 1 && d.forecast.horizonSeconds == 7 * 86_400)
        let c = try ServeConfig.parse(yaml: Self.base + "\nanomalies: {alerts: false, severity: critical, receivers: [hook]}\nforecast: {latency_limit: 250ms, horizon: 2d, minimum_runs: 10}\n")
        #expect(!c.anomalies.alerts && c.anomalies.severity == "critical" && c.anomalies.receivers == ["hook"])
        #expect(c.forecast.latencyLimitSeconds == 0.25 && c.forecast.horizonSeconds == 2 * 86_400 && c.forecast.minimumRuns == 10)
    }

    @Test func badValuesAreRefusedWithTheKey() throws {
        func error(_ extra: String) -> String {
            do { _ = try ServeConfig.parse(yaml: Self.base + "\n" + extra + "\n"); return "" } catch { return "\(error)" }
        }
        #expect(error("anomalies: {receivers: [nobody]}").contains("anomalies.receivers: no receiver named 'nobody'"))
        #expect(error("anomalies: {severity: loud}").contains("anomalies.severity"))
        #expect(error("anomalies: {enabled: true}").contains("anomalies.enabled: unknown key"))
        #expect(error("forecast: {latency_limit: 0s}").contains("forecast.latency_limit"))
        #expect(error("ledger: {key_file: x}").contains("ledger.path: required"))
    }

    /// The ledger key follows `mxray ledger`'s rules: a file others can read is refused.
    @Test func ledgerKeyFileMustBePrivate() throws {
        let dir = try ServeTestSupport.tempDir("ledger-key")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = dir + "/ledger.key"
        let generated = try NoteSignerKey.generate(name: "serve.test/evidence").encoded
        #expect(FileManager.default.createFile(atPath: key, contents: Data(generated.utf8), attributes: [.posixPermissions: 0o644]))
        let yaml = Self.base + "\nledger: {path: evidence.ledger, key_file: ledger.key}\n"
        do {
            _ = try ServeConfig.parse(yaml: yaml, baseDirectory: dir)
            Issue.record("a key file of mode 0644 was accepted")
        } catch {
            #expect("\(error)".contains("readable by others"), "\(error)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let c = try ServeConfig.parse(yaml: yaml, baseDirectory: dir)
        #expect(c.ledger == LedgerConfig(path: dir + "/evidence.ledger", keyFile: key))
        #expect(try c.ledger?.signer(environment: [:])?.name == "serve.test/evidence")
        // Without key_file: the environment, as `mxray ledger` reads it; nothing set: unsigned.
        #expect(try LedgerConfig(path: "x").signer(environment: ["MXRAY_LEDGER_KEY": generated])?.name == "serve.test/evidence")
        #expect(try LedgerConfig(path: "x").signer(environment: [:]) == nil)
    }
}
