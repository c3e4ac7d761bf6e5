import Hummingbird

/// The web half of `mxray serve`: auth middleware, UI, JSON API, `/probe`, alerts. `ServerApp`
/// calls `install` first, before adding `/metrics`, `/-/reload` and `/-/healthy`, so the access
/// middleware added here covers those routes too.
public enum WebRoutes {
    public static func install(on router: Router<MXRequestContext>, context: ServerContext) {
        let web = WebState(context: context)
        context.onRunCompleted { run in await web.alerts.runCompleted(run) }
        context.onConfigReloaded { config in await web.apply(config) }
        router.add(middleware: AccessMiddleware(web: web))
        UIRoutes.install(on: router, web: web)
        APIRoutes.install(on: router, web: web)
        ProbeRoute.install(on: router, web: web)
    }
}
