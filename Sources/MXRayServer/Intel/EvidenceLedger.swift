import Foundation
import Ledger
import Reporting

/// `ledger:` in serve: every fired alert (rule alerts and anomaly episodes) is appended to the
/// evidence ledger (docs/ledger.md) as it fires, so the record of an incident cannot be edited
/// afterwards. Rule alerts are `alert.<rule>` entries, anomaly episodes `anomaly.<series>`.
struct EvidenceLedger: Sendable {
    let path: String
    let signer: NoteSignerKey?

    init(_ config: LedgerConfig) throws {
        path = config.path
        signer = try config.signer()
    }

    /// The payload of a rule alert.
    struct AlertEntry: Codable {
        var status: String
        var rule: String
        var target: String
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
    }

    /// The payload of an anomaly episode: where, and the explained alert.
    struct AnomalyEntry: Codable {
        var target: String
        var address: String?
        var port: String?
        var series: String
        var anomaly: LogAnomalies.Alert
    }

    /// Appends one entry per firing notice (resolutions are in the history, not the ledger).
    func record(rules: [AlertNotice], anomalies: [ProbeIntel.Event]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var entries: [(String, Data)] = []
        let iso = ISO8601DateFormatter()
        for n in rules where n.status == .firing {
            let e = AlertEntry(status: n.status.rawValue, rule: n.rule, target: n.target, labels: n.labels, annotations: n.annotations,
                               startsAt: iso.string(from: n.startsAt))
            entries.append(("alert." + Self.kindPart(n.rule), try encoder.encode(e)))
        }
        for e in anomalies where e.status == .opened {
            let k = e.episode.key
            let entry = AnomalyEntry(target: k.target, address: k.address.isEmpty ? nil : k.address, port: k.port.isEmpty ? nil : k.port,
                                     series: k.series, anomaly: e.episode.alert)
            entries.append(("anomaly." + Self.kindPart(k.series), try encoder.encode(entry)))
        }
        guard !entries.isEmpty else { return }
        let file = try LedgerFile(path: path)
        for (kind, payload) in entries {
            try file.append(kind: kind, payload: Array(payload), timestampMillis: Int64((Date().timeIntervalSince1970 * 1000).rounded()), signer: signer)
        }
    }

    /// A name in ledger-kind characters ([a-z0-9._-], at most 55 of them).
    static func kindPart(_ s: String) -> String {
        let mapped = s.lowercased().map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") ? c : "-"
        }
        return String(String(mapped).prefix(55))
    }
}
