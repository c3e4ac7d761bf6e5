import Foundation
import Hummingbird
import LabSupport
import NIOCore
import Testing
@testable import MXRayServer

/// Collects what the webhook receiver was sent.
actor WebhookSink {
    var bodies: [Data] = []
    var waiters: [CheckedContinuation<Void, Never>] = []

    func add(_ d: Data) {
        bodies.append(d)
        for w in waiters { w.resume() }
        waiters = []
    }

    func waitForBody(timeout: Duration) async -> Data? {
        let deadline = ContinuousClock.now + timeout
        while bodies.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return bodies.first
    }
}

/// A real HTTP listener on loopback standing in for an Alertmanager webhook receiver (a test
/// sink, not a fake of a server under test).
enum WebhookReceiver {
    static func run<T: Sendable>(_ sink: WebhookSink, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            await sink.add(Data(bytes.readableBytesView))
            return .ok
        }
        let (portStream, portCont) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portCont.yield(channel.localAddress?.port ?? 0) })
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []); return nil }
            var it = portStream.makeAsyncIterator()
            guard let port = await it.next() else { throw CancellationError() }
            let result = try await body(port)
            group.cancelAll()
            return result
        }
    }
}

@Suite(.serialized) struct AlertWebhookTests {
    /// The broken scenario's closed address is really down: two failed runs fire the alert, and
    /// the receiver gets Alertmanager's webhook payload; the alert is also in the history.
    @Test func downTargetReachesTheWebhookInAlertmanagerShape() async throws {
        let lab = try LabEnvironment.require()
        let closed = try lab.address("BROKEN_CLOSED")
        let sink = WebhookSink()
        try await WebhookReceiver.run(sink) { port in
            let target = TargetConfig(name: "closed", kind: .host, value: closed, ports: [587], checks: [.probe], timeout: .seconds(20))
            let alerts = AlertsConfig(rules: [AlertRule(name: "MailTargetDown", condition: .targetDown(times: 2), severity: "critical")],
                                      receivers: [AlertReceiver(name: "hook", kind: .webhook(url: "http://127.0.0.1:\(port)/hook"), timeout: .seconds(5))])
            let context = try ServerContext(config: WebTestSupport.config(lab: lab, targets: [target], alerts: alerts))
            _ = ServerApp.router(context: context)   // installs the alert service
            let first = try await context.scheduler.runNow("closed")
            #expect(first.success == false, "the closed address must fail its check")
            #expect(await sink.bodies.isEmpty, "one failure is below times: 2")
            _ = try await context.scheduler.runNow("closed")
            let body = try #require(await sink.waitForBody(timeout: .seconds(10)))
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(json["version"] as? String == "4")
            #expect(json["status"] as? String == "firing")
            #expect(json["receiver"] as? String == "hook")
            #expect(json["groupKey"] is String)
            #expect((json["commonLabels"] as? [String: String])?["alertname"] == "MailTargetDown")
            let alert = try #require((json["alerts"] as? [[String: Any]])?.first)
            let labels = try #require(alert["labels"] as? [String: String])
            #expect(labels["alertname"] == "MailTargetDown")
            #expect(labels["target"] == "closed")
            #expect(labels["severity"] == "critical")
            #expect((alert["annotations"] as? [String: String])?["summary"]?.contains("2 check(s) in a row") == true)
            #expect(alert["status"] as? String == "firing")
            #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z")
            let startsAt = try #require(alert["startsAt"] as? String)
            #expect(ISO8601DateFormatter.withFractions.date(from: startsAt) != nil, "\(startsAt)")
            #expect((alert["fingerprint"] as? String)?.count == 16)
            // Stored in the history as an alert event.
            let stored = try context.history.alerts(target: "closed")
            #expect(stored.first?.rule == "MailTargetDown" && stored.first?.state == .firing)
        }
    }

    @Test func commandReceiverGetsThePayloadOnStdin() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("payload.json").path
        var e = AlertEvaluator(rules: [AlertRule(name: "Down", condition: .targetDown(times: 1))])
        let notices = e.evaluate(.init(target: "t", at: Date(), success: false, durationSeconds: 1, changes: [], findings: [:],
                                       previousFindings: nil, earliestCertificateExpiry: nil))
        let receiver = AlertReceiver(name: "cmd", kind: .command(["/bin/sh", "-c", "cat > \(out)"]), timeout: .seconds(5))
        try await AlertDelivery(externalURL: "http://127.0.0.1:9425").deliver(notices, to: receiver)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        #expect(json?["version"] as? String == "4")
        #expect((json?["alerts"] as? [Any])?.count == 1)
        let failing = AlertReceiver(name: "bad", kind: .command(["/bin/false"]), timeout: .seconds(5))
        await #expect(throws: AlertDelivery.Failure.self) { try await AlertDelivery(externalURL: "x").deliver(notices, to: failing) }
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
