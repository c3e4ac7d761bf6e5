import Foundation
import Hummingbird
import Reporting
import TimeSeries

/// `GET /api/targets/:name/anomalies`: the probe series watched, open and recent anomaly
/// episodes (with their explanations) and the forecasts, as the target page shows them.
extension APIRoutes {
    struct SeriesDTO: Encodable { let address: String; let port: String; let series: String; let anomalous: Bool }
    struct EpisodeDTO: Encodable { let address: String; let port: String; let open: Bool; let alert: LogAnomalies.Alert }
    struct LatencyDTO: Encodable { let address: String; let port: String; let series: String; let forecast: ThresholdForecast }
    struct CertificateDTO: Encodable { let endpoint: String; let forecast: CertificateExpiryForecast }
    struct IntelDTO: Encodable {
        let target: String
        let series: [SeriesDTO]
        let episodes: [EpisodeDTO]
        let latencyForecasts: [LatencyDTO]
        let certificateForecasts: [CertificateDTO]
    }

    static func installIntel<Context: RequestContext>(on router: Router<Context>, web: WebState) {
        let ctx = web.context
        router.get("/api/targets/:name/anomalies") { _, context -> Response in
            let name = try context.parameters.require("name")
            try knownTarget(name, ctx)
            let v = ctx.intel.view(target: name)
            let open = Set(v.active.map { "\($0.key.subject)\u{0}\($0.alert.start)" })
            let recent = v.recent.reversed().filter { !open.contains("\($0.key.subject)\u{0}\($0.alert.start)") }
            let dto = IntelDTO(
                target: name,
                series: v.series.sorted { $0.key < $1.key }.map { SeriesDTO(address: $0.key.address, port: $0.key.port, series: $0.key.series, anomalous: $0.value) },
                episodes: v.active.map { EpisodeDTO(address: $0.key.address, port: $0.key.port, open: true, alert: $0.alert) }
                    + recent.map { EpisodeDTO(address: $0.key.address, port: $0.key.port, open: false, alert: $0.alert) },
                latencyForecasts: v.latency.map { LatencyDTO(address: $0.key.address, port: $0.key.port, series: $0.key.series, forecast: $0.forecast) },
                certificateForecasts: v.certificates.map { CertificateDTO(endpoint: $0.endpoint, forecast: $0.forecast) })
            return try WebResponse.json(dto)
        }
    }
}
