import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Builds the HTTP application `mxray serve` runs; tests call the same function.
public enum ServerApp {
    /// The router: the web half's routes and middleware first, then the core routes.
    public static func router(context: ServerContext) -> Router<MXRequestContext> {
        let router = Router(context: MXRequestContext.self)
        WebRoutes.install(on: router, context: context)
        CoreRoutes.install(on: router, context: context)
        return router
    }

    /// The application bound to the configured listen address (port 0 picks a free port;
    /// `onServerRunning` gets the bound port).
    public static func application(context: ServerContext, services: [any Service] = [],
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> Application<RouterResponder<MXRequestContext>> {
        let listen = context.config.listen
        return Application(
            router: router(context: context),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "mxray"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? listen.port) }
        )
    }
}

/// `/metrics`, `/-/reload`, `/-/healthy` (the Prometheus conventions for the last two).
enum CoreRoutes {
    static func install(on router: Router<MXRequestContext>, context: ServerContext) {
        router.get("/metrics") { request, _ -> Response in
            // Prometheus sends `Accept-Encoding: gzip`; the per-target part is compressed once per change.
            let gzip = request.headers[.acceptEncoding]?.lowercased().contains("gzip") == true
            let parts = context.metrics.scrape(gzip: gzip)
            var headers: HTTPFields = [.contentType: "text/plain; version=0.0.4; charset=utf-8"]
            if gzip { headers[.contentEncoding] = "gzip" }
            headers[.contentLength] = String(parts.reduce(0) { $0 + $1.readableBytes })
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for part in parts { try await writer.write(part) }
                try await writer.finish(nil)
            })
        }
        router.post("/-/reload") { _, _ -> Response in
            switch await context.reload() {
            case .success(let c):
                return text(.ok, "configuration reloaded: \(c.targets.count) targets\n")
            case .failure(let e):
                return text(.badRequest, "reload refused, keeping the previous configuration: \(e.description)\n")
            }
        }
        router.get("/-/healthy") { _, _ -> Response in text(.ok, "mxray serve is healthy\n") }
    }

    static func text(_ status: HTTPResponse.Status, _ s: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }
}
