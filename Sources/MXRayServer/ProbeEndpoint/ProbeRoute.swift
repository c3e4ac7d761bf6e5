import Hummingbird

/// `GET /probe?target=…&module=…` (blackbox_exporter style). 200 with `probe_success 0|1` once
/// a probe ran; 400 for a malformed request; 403 when the target is refused by the allowlist
/// (nothing was connected to). `debug=true` appends the probe's transcript as comments.
enum ProbeRoute {
    static func install<Context: RequestContext>(on router: Router<Context>, web: WebState) {
        router.get("/probe") { request, _ -> Response in
            let q = request.uri.queryParameters
            do {
                let runner = try web.probeRunner()
                let result = try await runner.run(target: q.get("target"), moduleName: q.get("module"),
                                                  scrapeTimeoutHeader: request.headers[.init("X-Prometheus-Scrape-Timeout-Seconds")!])
                var text = result.prometheusText()
                if q.get("debug") == "true" {
                    let lines = result.observation.transcript.rendered().split(separator: "\n").prefix(300)
                    text += lines.map { "# " + $0 }.joined(separator: "\n") + "\n"
                }
                return WebResponse.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
            } catch let rejection as ProbeRunner.Rejection {
                switch rejection {
                case .badRequest(let s): return WebResponse.text(s + "\n", status: .badRequest)
                case .forbidden(let s): return WebResponse.text(s + "\n", status: .forbidden)
                }
            }
        }
    }
}
