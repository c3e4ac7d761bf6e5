import Diagnosis
import Foundation
import GRDB
import LabSupport
@testable import MXRayServer
import Testing

/// The real `mxray serve` binary: `kill -9` in the middle of writes loses nothing committed;
/// SIGTERM finishes the runs in flight and exits 0.
@Suite(.serialized) struct ServeProcessTests {
    /// Many fast host targets (DNS only, no probes) every 5 s, so the history is written
    /// several times a second.
    static func busyConfig(lab: LabEnvironment, dir: String, port: Int, targets: Int) throws -> String {
        var yaml = """
            listen: 127.0.0.1:\(port)
            resolvers: [\(lab.resolver)]
            max_concurrent_checks: 8
            defaults: {interval: 5s, jitter: 4s, timeout: 10s, checks: []}
            history: {path: \(dir)/history.sqlite}
            targets:

            """
        for i in 0..<targets { yaml += "  - {name: t\(i), host: \(try lab.address("GOOD_MX1"))}\n" }
        return yaml
    }

    /// Reads the committed run ids through a separate read-only connection.
    static func committedIDs(_ path: String) -> [Int64]? {
        var c = Configuration()
        c.readonly = true
        guard FileManager.default.fileExists(atPath: path), let q = try? DatabaseQueue(path: path, configuration: c) else { return nil }
        return try? q.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM runs ORDER BY id") }
    }

    @Test func killNineLosesNothingCommitted() async throws {
        let lab = try LabEnvironment.require()
        let dir = try ServeTestSupport.tempDir("kill9")
        let port = try ServeTestSupport.freePort()
        try Self.busyConfig(lab: lab, dir: dir, port: port, targets: 40).write(toFile: dir + "/mxray.yaml", atomically: true, encoding: .utf8)
        let serve = try DaemonProcess(try ServeTestSupport.mxrayBinary(), ["serve", "--config", dir + "/mxray.yaml"], logPath: dir + "/serve.log")
        var seen: [Int64] = []
        do {
            // Wait until runs flow steadily, then kill while they are being written.
            let flowing = await DaemonProcess.poll(timeout: 60) { () -> [Int64]? in
                guard let ids = Self.committedIDs(dir + "/history.sqlite"), ids.count >= 60 else { return nil }
                return ids
            }
            seen = try #require(flowing, "mxray serve wrote too few runs; log: \(serve.log)")
            // One more read just before the kill: the latest committed state.
            seen = Self.committedIDs(dir + "/history.sqlite") ?? seen
            serve.signal(SIGKILL)
        }
        #expect(await serve.wait(timeout: 10) == SIGKILL)
        #expect(serve.process.terminationReason == .uncaughtSignal)

        // Reopen (recovers the WAL) and verify every run committed before the kill is intact.
        let store = try HistoryStore(path: dir + "/history.sqlite")
        let integrity = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let after = Set(try await store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM runs") })
        let lost = Set(seen).subtracting(after)
        #expect(lost.isEmpty, "runs lost after kill -9: \(lost.sorted())")
        #expect(after.count >= seen.count)
        for id in seen {
            let run = try store.run(id: id)
            #expect(run?.report?.target.input == (try lab.address("GOOD_MX1")), "run \(id) unreadable")
        }
        // The store keeps working after the crash.
        try await store.record(target: "t0", report: ServeTestSupport.report(ports: []))
    }

    @Test func sigtermFinishesRunsInFlightAndExitsZero() async throws {
        let lab = try LabEnvironment.require()
        let dir = try ServeTestSupport.tempDir("sigterm")
        let port = try ServeTestSupport.freePort()
        try Self.busyConfig(lab: lab, dir: dir, port: port, targets: 20).write(toFile: dir + "/mxray.yaml", atomically: true, encoding: .utf8)
        let serve = try DaemonProcess(try ServeTestSupport.mxrayBinary(), ["serve", "--config", dir + "/mxray.yaml"], logPath: dir + "/serve.log")
        let started = await DaemonProcess.poll(timeout: 60) { () -> Bool? in
            (Self.committedIDs(dir + "/history.sqlite")?.count ?? 0) >= 10 ? true : nil
        }
        #expect(started == true, "no runs; log: \(serve.log)")
        // The HTTP side answers while it runs.
        let health = try ServeTestSupport.http("GET", "http://127.0.0.1:\(port)/-/healthy")
        #expect(health.status == 200)
        serve.signal(SIGTERM)
        let status = await serve.wait(timeout: 30)
        if status == nil { await serve.stop() }
        #expect(status == 0, "log: \(serve.log)")
        #expect(serve.log.contains("shutting down: waiting for the checks in flight"))
        #expect(serve.log.contains("stopped"))
        let store = try HistoryStore(path: dir + "/history.sqlite")
        let ok = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(ok == "ok")
    }
}
