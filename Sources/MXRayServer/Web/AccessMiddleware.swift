import Foundation
import Hummingbird
import NIOCore

/// Who may reach what, decided by path before any route runs:
/// - public: `/login`, `/static/…`, `/-/healthy`;
/// - machine endpoints (`/metrics`, `/probe`, `/api/…`, `/-/…`): a bearer token (RFC 6750 §2.1);
///   the API also takes a UI session, and then a state-changing method must carry the
///   session's CSRF token in `X-CSRF-Token`;
/// - everything else is the UI: a session cookie, or a redirect to `/login`.
///
/// With `auth.disabled` (allowed on loopback only) every request passes, and UI visitors get an
/// anonymous session so the CSRF checks on forms still apply.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let web: WebState

    enum Area { case open, machine, api, ui }

    static func area(_ path: String) -> Area {
        if path == "/login" || path.hasPrefix("/static/") || path == "/-/healthy" || path == "/favicon.ico" { return .open }
        if path == "/api" || path.hasPrefix("/api/") { return .api }
        if path == "/metrics" || path == "/probe" || path.hasPrefix("/-/") { return .machine }
        return .ui
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await decide(request, context: context, next: next)
        SecurityHeaders.apply(&response.headers, path: request.uri.path)
        return response
    }

    func decide(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let auth = web.auth
        let area = Self.area(request.uri.path)
        if area == .open {
            if request.uri.path == "/login" && !auth.enabled { return .redirect(to: "/", type: .found) }
            return try await next(request, context)
        }
        if !auth.enabled {
            if area == .ui, await web.session(request) == nil {
                // An anonymous session, so forms still carry a CSRF token: set it and come back.
                guard request.method == .get || request.method == .head else {
                    return WebResponse.text("no session: load the page first\n", status: .forbidden)
                }
                let s = await auth.sessions.create(user: "anonymous (auth disabled)")
                var r = Response.redirect(to: request.uri.path == "/login" ? "/" : request.uri.description, type: .found)
                r.setCookie(web.sessionCookie(s))
                return r
            }
            return try await next(request, context)
        }
        switch area {
        case .open:
            return try await next(request, context)
        case .machine:
            if auth.bearerAllowed(authorizationHeader: request.headers[.authorization]) { return try await next(request, context) }
            return Self.unauthorized()
        case .api:
            if auth.bearerAllowed(authorizationHeader: request.headers[.authorization]) { return try await next(request, context) }
            guard let session = await web.session(request) else { return Self.unauthorized() }
            if request.method != .get && request.method != .head {
                guard let sent = request.headers[.init("X-CSRF-Token")!],
                      ConstantTime.equal(Array(sent.utf8), Array(session.csrfToken.utf8))
                else { return WebResponse.text("CSRF token missing or wrong\n", status: .forbidden) }
            }
            return try await next(request, context)
        case .ui:
            if await web.session(request) != nil { return try await next(request, context) }
            if request.method == .get || request.method == .head { return .redirect(to: "/login", type: .found) }
            return WebResponse.text("log in first\n", status: .forbidden)
        }
    }

    static func unauthorized() -> Response {
        var r = WebResponse.text("a valid bearer token is required (Authorization: Bearer <token>)\n", status: .unauthorized)
        r.headers[.wwwAuthenticate] = "Bearer realm=\"mxray\""
        return r
    }
}

/// Headers on every response: no sniffing, no framing by other sites, no referrer, and a
/// content security policy that allows only our own script and inline styles.
enum SecurityHeaders {
    static func apply(_ headers: inout HTTPFields, path: String) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("X-Frame-Options")!] = "SAMEORIGIN"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        if headers[.contentSecurityPolicy] == nil {
            headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
        }
        if path != "/metrics" && path != "/probe" && headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}

enum WebResponse {
    static func html(_ s: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    static func text(_ s: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        json(try WebJSON.encoder.encode(value), status: status)
    }

    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

enum WebJSON {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
