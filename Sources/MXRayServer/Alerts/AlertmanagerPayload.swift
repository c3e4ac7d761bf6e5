import Foundation

/// The JSON body Alertmanager POSTs to a webhook receiver (`webhook_config`, payload version
/// "4"), so receivers written for Alertmanager take mxray's alerts unchanged.
/// Reference: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
public struct AlertmanagerPayload: Codable, Sendable, Equatable {
    public struct Alert: Codable, Sendable, Equatable {
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        /// RFC 3339.
        public var startsAt: String
        /// RFC 3339; Alertmanager's zero time `0001-01-01T00:00:00Z` while firing.
        public var endsAt: String
        public var generatorURL: String
        public var fingerprint: String
    }

    public var version: String
    public var groupKey: String
    public var truncatedAlerts: Int
    public var status: String
    public var receiver: String
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var alerts: [Alert]

    public static let zeroTime = "0001-01-01T00:00:00Z"

    /// One payload per receiver and notification; `status` is firing when any alert fires.
    public init(receiver: String, notices: [AlertNotice], externalURL: String) {
        let alerts = notices.map { n in
            Alert(status: n.status.rawValue, labels: n.labels, annotations: n.annotations,
                  startsAt: Self.rfc3339(n.startsAt), endsAt: n.endsAt.map(Self.rfc3339) ?? Self.zeroTime,
                  generatorURL: externalURL + "/targets/" + (n.target.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? n.target),
                  fingerprint: Self.fingerprint(n.labels))
        }
        let names = Set(notices.map(\.rule))
        let group = names.count == 1 ? ["alertname": names.first!] : [String: String]()
        self.alerts = alerts
        version = "4"
        status = notices.contains { $0.status == .firing } ? "firing" : "resolved"
        self.receiver = receiver
        groupLabels = group
        commonLabels = Self.common(notices.map(\.labels))
        commonAnnotations = Self.common(notices.map(\.annotations))
        groupKey = "{}:" + "{" + group.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        truncatedAlerts = 0
        self.externalURL = externalURL
    }

    static func common(_ sets: [[String: String]]) -> [String: String] {
        guard var out = sets.first else { return [:] }
        for s in sets.dropFirst() { out = out.filter { s[$0.key] == $0.value } }
        return out
    }

    static func rfc3339(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    /// Prometheus' label-set fingerprint: FNV-1a 64 over the sorted names and values with a
    /// 0xFF separator, as 16 hex digits (prometheus/common model.LabelSet.Fingerprint).
    public static func fingerprint(_ labels: [String: String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ bytes: some Sequence<UInt8>) {
            for b in bytes { h ^= UInt64(b); h &*= 0x0000_0100_0000_01B3 }
        }
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) {
            add(k.utf8); add([0xFF]); add(v.utf8); add([0xFF])
        }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(self)
    }
}
