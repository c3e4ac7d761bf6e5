import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Probes

/// What the web half keeps while the server runs: the authenticator, the alert service and the
/// `/probe` TLS settings, rebuilt on a reload that changes their part of the configuration.
final class WebState: Sendable {
    let context: ServerContext
    let alerts: AlertService

    struct Live {
        var auth: ServeAuthenticator
        var authConfig: AuthConfig
        var probeTLS: ProbeTLSSettings?
        var caFile: String?
    }

    let live: NIOLockedValueBox<Live>

    static let sessionCookieName = "__Host-mxray-session"
    static let loginCookieName = "__Host-mxray-login"

    init(context: ServerContext) {
        self.context = context
        let config = context.config
        alerts = AlertService(config: config.alerts, store: context.history, externalURL: "http://\(config.listen)",
                              anomalies: config.anomalies, ledger: config.ledger)
        live = NIOLockedValueBox(Live(auth: ServeAuthenticator(config: config.auth), authConfig: config.auth,
                                      probeTLS: try? ProbeTLSSettings(extraCAFile: config.caFile), caFile: config.caFile))
    }

    var auth: ServeAuthenticator { live.withLockedValue { $0.auth } }
    var probeTLS: ProbeTLSSettings? { live.withLockedValue { $0.probeTLS } }

    /// After a reload: new rules and receivers; a new authenticator only when `auth:` changed
    /// (which logs everyone out); new TLS settings when `ca_file` changed.
    func apply(_ config: ServeConfig) async {
        await alerts.reload(config.alerts, anomalies: config.anomalies, ledger: .some(config.ledger))
        live.withLockedValue { l in
            if l.authConfig != config.auth {
                l.auth = ServeAuthenticator(config: config.auth)
                l.authConfig = config.auth
            }
            if l.caFile != config.caFile {
                l.probeTLS = try? ProbeTLSSettings(extraCAFile: config.caFile)
                l.caFile = config.caFile
            }
        }
    }

    func session(_ request: Request) async -> UISession? {
        await auth.sessions.session(request.cookies[Self.sessionCookieName]?.value)
    }

    /// `__Host-` prefix (RFC 6265bis §4.1.3.2): Secure, Path=/, no Domain. HttpOnly, SameSite=Strict.
    /// Browsers accept Secure cookies from http://localhost and 127.0.0.1; elsewhere serve the
    /// dashboard behind TLS.
    func sessionCookie(_ s: UISession) -> Cookie {
        Cookie(name: Self.sessionCookieName, value: s.id, maxAge: Int(s.expires.timeIntervalSinceNow), path: "/",
               secure: true, httpOnly: true, sameSite: .strict)
    }

    func expiredCookie(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    /// The probe runner for the configuration in force.
    func probeRunner() throws(ProbeRunner.Rejection) -> ProbeRunner {
        let config = context.config
        var hosts = Set<String>()
        if config.probe.allowConfiguredTargets { for t in config.targets { hosts.insert(t.value.lowercased()) } }
        let allowlist: ProbeAllowlist
        do { allowlist = try ProbeAllowlist(entries: config.probe.allow, configuredHosts: hosts) } catch {
            throw .badRequest("probe.allow is invalid: \(error.description)")
        }
        var modules = ProbeModule.builtIn
        let c = config.probe.defaultTimeout.components
        let seconds = Double(c.seconds) + Double(c.attoseconds) / 1e18
        for i in modules.indices { modules[i].timeoutSeconds = seconds }
        return ProbeRunner(allowlist: allowlist, resolver: context.resolver, tls: probeTLS, modules: modules)
    }
}

/// The client's address for login throttling.
func clientAddress<Context: RequestContext>(_ context: Context) -> String {
    (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? "unknown"
}
