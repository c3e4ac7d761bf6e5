import Foundation
import Hummingbird

/// The JSON API (`/api/…`): targets, runs, reports, changes, alerts; `POST` runs a check now.
/// Times are RFC 3339; lists are newest first; `limit` and `before` (an id) page.
enum APIRoutes {
    struct TargetDTO: Encodable {
        let name: String
        let kind: String
        let value: String
        let checks: [String]
        let intervalSeconds: Int64
        let labels: [String: String]
        let verdict: String?
        let lastRun: RunRecord?
        let recentSuccess: [Bool]
        let nextRun: Date?
    }

    static func limit(_ request: Request, default d: Int = 50) -> Int {
        min(1000, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? d))
    }

    static func install<Context: RequestContext>(on router: Router<Context>, web: WebState) {
        let ctx = web.context
        installIntel(on: router, web: web)
        router.get("/api/targets") { _, _ -> Response in
            let config = ctx.config
            let statuses = try ctx.history.targetStatuses(config.targets.map(\.name), recent: 30)
            let next = ctx.scheduler.nextRuns()
            let list = zip(config.targets, statuses).map { t, s in
                TargetDTO(name: t.name, kind: t.kind.rawValue, value: t.value, checks: t.checks.map(\.rawValue).sorted(),
                          intervalSeconds: t.interval.components.seconds, labels: t.labels, verdict: s.lastRun?.verdict.rawValue,
                          lastRun: s.lastRun, recentSuccess: s.recent, nextRun: next[t.name])
            }
            return try WebResponse.json(["targets": list])
        }
        router.get("/api/targets/:name/runs") { request, context -> Response in
            let name = try context.parameters.require("name")
            try knownTarget(name, ctx)
            let runs = try ctx.history.runs(target: name, limit: limit(request), before: request.uri.queryParameters.get("before", as: Int64.self))
            return try WebResponse.json(["runs": runs])
        }
        router.post("/api/targets/:name/run") { request, context -> Response in
            let name = try context.parameters.require("name")
            try knownTarget(name, ctx)
            if request.uri.queryParameters.get("wait") == "false" {
                let scheduler = ctx.scheduler
                Task { _ = try? await scheduler.runNow(name) }
                return try WebResponse.json(["started": name], status: .accepted)
            }
            do {
                var run = try await ctx.scheduler.runNow(name)
                run.report = nil
                return try WebResponse.json(run)
            } catch {
                throw HTTPError(.serviceUnavailable, message: "check of \(name) did not complete: \(error)")
            }
        }
        router.get("/api/runs/:id") { _, context -> Response in
            let id = try context.parameters.require("id", as: Int64.self)
            guard var run = try ctx.history.run(id: id) else { throw HTTPError(.notFound, message: "no run \(id)") }
            run.report = nil
            return try WebResponse.json(run)
        }
        router.get("/api/runs/:id/report") { _, context -> Response in
            let id = try context.parameters.require("id", as: Int64.self)
            guard let data = try ctx.history.reportJSON(runID: id) else { throw HTTPError(.notFound, message: "no report for run \(id)") }
            return WebResponse.json(data)
        }
        router.get("/api/targets/:name/report") { _, context -> Response in
            let name = try context.parameters.require("name")
            try knownTarget(name, ctx)
            guard let id = try ctx.history.runs(target: name, limit: 1).first?.id, let data = try ctx.history.reportJSON(runID: id) else {
                throw HTTPError(.notFound, message: "no run of \(name) yet")
            }
            return WebResponse.json(data)
        }
        router.get("/api/changes") { request, _ -> Response in
            let target = request.uri.queryParameters.get("target")
            let changes = try ctx.history.changes(target: target, limit: limit(request, default: 100),
                                                  before: request.uri.queryParameters.get("before", as: Int64.self))
            return try WebResponse.json(["changes": changes])
        }
        router.get("/api/alerts") { request, _ -> Response in
            let target = request.uri.queryParameters.get("target")
            let alerts = try ctx.history.alerts(target: target, limit: limit(request, default: 100))
            return try WebResponse.json(["alerts": alerts])
        }
    }

    static func knownTarget(_ name: String, _ ctx: ServerContext) throws {
        guard ctx.config.target(named: name) != nil else { throw HTTPError(.notFound, message: "no target \(name)") }
    }
}
