import MailCore

/// Forecasts (issue 11): when a certificate or a trend will cross a line, with the uncertainty.
extension FindingCatalog {
    static let forecast: [FindingDefinition] = [
        FindingDefinition(
            id: "forecast.cert.expiry", severity: .info,
            title: "Certificate expiry forecast",
            remediation: "Nothing to do while renewal runs on schedule; make sure it is automated (ACME) and monitored well before the warning window.",
            references: [RFCRef(5280, "4.1.2.5")]),
        FindingDefinition(
            id: "forecast.cert.renewal-overdue", severity: .warning,
            title: "The certificate was not renewed when earlier renewals suggest it should have been",
            remediation: "Check the renewal job (certbot/acme.sh timer, its logs and rate limits) and that the server was reloaded after renewal; earlier certificates were replaced with more lifetime left.",
            references: [RFCRef(8555, "7.4")]),
        FindingDefinition(
            id: "forecast.latency.rising", severity: .warning,
            title: "Connection latency is rising and is forecast to cross the limit",
            remediation: "Look at the host's load, network path and connection limits before clients start timing out; compare with `mxray probe` from another network.",
            references: [RFCRef(5321, "4.5.3.2")]),
        FindingDefinition(
            id: "forecast.latency.trend", severity: .info,
            title: "Connection latency trend over earlier checks",
            remediation: "Nothing to do; the forecast is shown so a rising trend is seen early."),
    ]
}
