import Foundation
import LabSupport
@testable import MXRayServer
import Testing
import Yams

/// docs/monitoring: the files users copy must work with the real tools.
@Suite struct MonitoringDocsTests {
    static let dir = "docs/monitoring"

    @Test func promtoolChecksAndTestsTheAlertingRules() throws {
        let check = try LabEnvironment.run(["promtool", "check", "rules", "\(Self.dir)/alerts.yml"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 10 rules found"))
        let unit = try LabEnvironment.run(["promtool", "test", "rules", "\(Self.dir)/alerts.test.yml"])
        #expect(unit.status == 0, "\(unit.output)")
    }

    @Test func promtoolAcceptsTheScrapeConfig() throws {
        // promtool wants the bearer-token file to exist: check a copy that points at a temporary one.
        let tmp = try ServeTestSupport.tempDir("promcfg")
        try "0123456789abcdef\n".write(toFile: tmp + "/mxray.token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "\(Self.dir)/alerts.yml", toPath: tmp + "/alerts.yml")
        let config = try String(contentsOfFile: "\(Self.dir)/prometheus.yml", encoding: .utf8)
        #expect(config.contains("action: hashmod"))
        try config.write(toFile: tmp + "/prometheus.yml", atomically: true, encoding: .utf8)
        let r = try LabEnvironment.run(["promtool", "check", "config", tmp + "/prometheus.yml"])
        #expect(r.status == 0, "\(r.output)")
    }

    /// Every metric a dashboard panel queries is one `mxray serve` exports.
    @Test func dashboardQueriesOnlyExportedMetrics() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.dir)/grafana-dashboard.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        #expect(panels.count >= 10)
        let m = ServerMetrics(minRenderInterval: .zero)
        m.update(target: "t", report: ServeTestSupport.report(ports: [("127.0.20.1", 25, .open)]), success: true)
        let exposition = String(decoding: m.exposition(), as: UTF8.self)
        var exported = Set(exposition.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        exported.formUnion(ServerMetrics.help.keys)
        let metricName = try Regex(#"mxray_[a-z0-9_]+"#)
        var queried = Set<String>()
        for p in panels {
            let targets = try #require(p["targets"] as? [[String: Any]], "panel \(p["title"] ?? "?") has no targets")
            for t in targets {
                let expr = try #require(t["expr"] as? String)
                for match in expr.matches(of: metricName) {
                    var name = String(expr[match.range])
                    for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && !exported.contains(name) {
                        name = String(name.dropLast(suffix.count))
                    }
                    queried.insert(name)
                }
            }
        }
        #expect(!queried.isEmpty)
        #expect(queried.subtracting(exported).isEmpty, "not exported: \(queried.subtracting(exported).sorted())")
    }

    @Test func zabbixTemplateHasDiscoveryAndUserParameters() throws {
        let text = try String(contentsOfFile: "\(Self.dir)/zabbix-template.yaml", encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        let export = try #require(root["zabbix_export"] as? [String: Any])
        let template = try #require((export["templates"] as? [[String: Any]])?.first)
        let lld = try #require((template["discovery_rules"] as? [[String: Any]])?.first)
        #expect(lld["key"] as? String == "mxray.discovery")
        let items = try #require(lld["item_prototypes"] as? [[String: Any]])
        #expect(items.contains { $0["key"] as? String == "mxray.check[{#DOMAIN}]" })
        #expect(items.filter { $0["type"] as? String == "DEPENDENT" }.count >= 5)
        let conf = try String(contentsOfFile: "\(Self.dir)/zabbix_agent2.d/mxray.conf", encoding: .utf8)
        #expect(conf.contains("UserParameter=mxray.discovery,"))
        #expect(conf.contains("UserParameter=mxray.check[*],mxray check \"$1\" --format json"))
        // The discovery command turns a domain list into LLD JSON.
        let tmp = try ServeTestSupport.tempDir("zbx")
        try "# mail domains\ngood.lab.test\n\nweak.lab.test\n".write(toFile: tmp + "/d.txt", atomically: true, encoding: .utf8)
        let line = try #require(conf.split(separator: "\n").first { $0.hasPrefix("UserParameter=mxray.discovery,") })
        let command = String(line.dropFirst("UserParameter=mxray.discovery,".count)).replacingOccurrences(of: "/etc/zabbix/mxray-domains.txt", with: tmp + "/d.txt")
        let r = try LabEnvironment.run(["sh", "-c", command])
        let lldJSON = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [[String: String]]
        #expect(lldJSON == [["{#DOMAIN}": "good.lab.test"], ["{#DOMAIN}": "weak.lab.test"]])
    }

    /// The Nagios/Icinga wrapper applies -w/-c ranges to a saved report.
    @Test func nagiosThresholdPlugin() throws {
        let tmp = try ServeTestSupport.tempDir("nagios")
        let report = ServeTestSupport.report(ports: [("127.0.20.1", 25, .open)])
        var json = String(decoding: try HistoryStore.encoder.encode(report), as: UTF8.self)
        // 10 days to expiry in the saved report.
        json = json.replacingOccurrences(of: "\"daysToExpiry\":0", with: "\"daysToExpiry\":10")
        try json.write(toFile: tmp + "/r.json", atomically: true, encoding: .utf8)
        let plugin = "\(Self.dir)/check_mxray"
        let warn = try LabEnvironment.run(["python3", plugin, "-H", "x.example", "--metric", "cert-days", "-w", "20:", "-c", "3:", "--from-json", tmp + "/r.json"])
        #expect(warn.status == 1 && warn.output.hasPrefix("MXRAY WARNING - x.example cert-days 10d | 'cert-days'=10;20:;3:;0"), "\(warn.output)")
        let ok = try LabEnvironment.run(["python3", plugin, "-H", "x.example", "--metric", "cert-days", "-w", "5:", "-c", "3:", "--from-json", tmp + "/r.json"])
        #expect(ok.status == 0, "\(ok.output)")
        let crit = try LabEnvironment.run(["python3", plugin, "-H", "x.example", "--metric", "response-time", "-w", "0.5", "-c", "0.9", "--from-json", tmp + "/r.json"])
        #expect(crit.status == 2 && crit.output.hasPrefix("MXRAY CRITICAL"), "\(crit.output)")
    }
}
