import Diagnosis
import DNSWire
import Foundation
import Yams

extension ServeConfig {
    /// Reads and validates a configuration file. Relative paths in it (`history.path`,
    /// `ca_file`) are relative to the file's folder. Errors are one line naming the file and key.
    public static func load(path: String) throws -> ServeConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ServeConfigError("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        let base = (path as NSString).deletingLastPathComponent
        do { return try parse(yaml: text, baseDirectory: base.isEmpty ? "." : base) } catch let e as ServeConfigError {
            throw ServeConfigError("\(path): \(e.description)")
        }
    }

    /// Parses and validates YAML text (see docs/serve.md for every key).
    public static func parse(yaml: String, baseDirectory: String = ".") throws -> ServeConfig {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch {
            throw ServeConfigError("not valid YAML: \(String(describing: error).split(separator: "\n").joined(separator: " "))")
        }
        let r = try YAMLReader(root, path: "")
        try r.onlyKeys(["listen", "resolvers", "ca_file", "max_concurrent_checks", "per_host", "defaults", "targets",
                        "history", "alerts", "auth", "probe", "anomalies", "forecast", "ledger"])
        var c = ServeConfig()
        if let listen = try r.string("listen") { c.listen = try parseListen(listen) }
        c.resolvers = try r.strings("resolvers") ?? []
        for (i, s) in c.resolvers.enumerated() where DNSServerAddress(parsing: s) == nil {
            throw ServeConfigError("resolvers[\(i)]: '\(s)' is not HOST[:PORT] with an IP address")
        }
        c.caFile = try r.string("ca_file").map { resolve($0, base: baseDirectory) }
        if let ca = c.caFile, !FileManager.default.isReadableFile(atPath: ca) { throw ServeConfigError("ca_file: \(ca) is not readable") }
        c.maxConcurrentChecks = try r.int("max_concurrent_checks", in: 1...1024) ?? c.maxConcurrentChecks
        c.perHost = try r.int("per_host", in: 1...64) ?? c.perHost
        let defaults = try parseDefaults(r.mapping("defaults"))
        c.targets = try r.list("targets").map { try parseTarget($0, defaults: defaults) }
        c.history = try parseHistory(r.mapping("history"), base: baseDirectory)
        c.probe = try parseProbe(r.mapping("probe"))
        c.auth = try parseAuth(r.mapping("auth"))
        c.alerts = try parseAlerts(r.mapping("alerts"))
        c.anomalies = try parseAnomalies(r.mapping("anomalies"))
        c.forecast = try parseForecast(r.mapping("forecast"))
        c.ledger = r.has("ledger") ? try parseLedger(r.mapping("ledger"), base: baseDirectory) : nil
        try c.validate()
        return c
    }

    /// Rules that span sections.
    public func validate() throws {
        var seen = Set<String>()
        for t in targets where !seen.insert(t.name).inserted { throw ServeConfigError("targets: the name '\(t.name)' is used twice") }
        if !listen.isLoopback {
            if auth.disabled { throw ServeConfigError("auth.disabled: auth may be off only when listen is a loopback address, not \(listen)") }
            if auth.tokens.isEmpty && auth.users.isEmpty {
                throw ServeConfigError("auth: listen \(listen) is not loopback, so give at least one token or user (or listen on 127.0.0.1)")
            }
        }
        let receiverNames = Set(alerts.receivers.map(\.name))
        var ruleNames = Set<String>()
        for (i, rule) in alerts.rules.enumerated() {
            guard ruleNames.insert(rule.name).inserted else { throw ServeConfigError("alerts.rules[\(i)]: the name '\(rule.name)' is used twice") }
            for t in rule.targets where !seen.contains(t) { throw ServeConfigError("alerts.rules[\(i)].targets: no target named '\(t)'") }
            for name in rule.receivers where !receiverNames.contains(name) {
                throw ServeConfigError("alerts.rules[\(i)].receivers: no receiver named '\(name)'")
            }
        }
        for name in anomalies.receivers where !receiverNames.contains(name) {
            throw ServeConfigError("anomalies.receivers: no receiver named '\(name)'")
        }
    }

    static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }

    /// `127.0.0.1:9425`, `[::1]:9425`, `:9425` (all addresses), `localhost:0`.
    static func parseListen(_ text: String) throws -> ListenAddress {
        let bad = ServeConfigError("listen: '\(text)' is not HOST:PORT (e.g. 127.0.0.1:9425 or [::1]:9425)")
        var host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw bad }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw bad }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else { throw bad }
        if host.isEmpty { host = "0.0.0.0" }
        return ListenAddress(host: String(host), port: port)
    }

    struct Defaults {
        var interval: Duration = .seconds(300)
        var jitter: Duration?
        var timeout: Duration = .seconds(60)
        var checks: Set<CheckKind> = Set(CheckKind.allCases)
    }

    static func parseDefaults(_ r: YAMLReader) throws -> Defaults {
        try r.onlyKeys(["interval", "jitter", "timeout", "checks"])
        var d = Defaults()
        d.interval = try r.duration("interval") ?? d.interval
        d.jitter = try r.duration("jitter")
        d.timeout = try r.duration("timeout") ?? d.timeout
        if let checks = try parseChecks(r, "checks") { d.checks = checks }
        return d
    }

    static func parseChecks(_ r: YAMLReader, _ key: String) throws -> Set<CheckKind>? {
        guard let list = try r.strings(key) else { return nil }
        return Set(try list.map { s in
            guard let k = CheckKind(rawValue: s) else {
                throw ServeConfigError("\(r.at(key)): '\(s)' is not one of \(CheckKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return k
        })
    }

    static func parseTarget(_ r: YAMLReader, defaults: Defaults) throws -> TargetConfig {
        try r.onlyKeys(["name", "domain", "host", "ports", "checks", "interval", "jitter", "timeout", "labels", "roundtrip"])
        let domain = try r.string("domain"), host = try r.string("host")
        let kind: TargetConfig.Kind, value: String
        switch (domain, host) {
        case (let d?, nil): (kind, value) = (.domain, d)
        case (nil, let h?): (kind, value) = (.host, h)
        default: throw ServeConfigError("\(r.path): give exactly one of domain: or host:")
        }
        let name = try r.string("name") ?? value
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw ServeConfigError("\(r.at("name")): '\(name)' may hold only letters, digits, '.', '_' and '-' (at most 128)")
        }
        let interval = try r.duration("interval") ?? defaults.interval
        guard interval >= .seconds(5) else { throw ServeConfigError("\(r.at("interval")): at least 5s") }
        let jitter = try r.duration("jitter") ?? defaults.jitter ?? min(.seconds(30), interval / 10)
        guard jitter < interval else { throw ServeConfigError("\(r.at("jitter")): must be shorter than the interval") }
        let timeout = try r.duration("timeout") ?? defaults.timeout
        guard timeout <= .seconds(3600) else { throw ServeConfigError("\(r.at("timeout")): at most 1h") }
        var labels: [String: String] = [:]
        let l = try r.mapping("labels")
        for key in l.map.keys.sorted() { labels[key] = try l.string(key) ?? "" }
        var t = TargetConfig(name: name, kind: kind, value: value, ports: try r.ints("ports", in: 1...65535),
                             checks: try parseChecks(r, "checks") ?? defaults.checks,
                             interval: interval, jitter: jitter, timeout: timeout, labels: labels)
        t.roundtrip = try parseRoundtrip(r.mapping("roundtrip"))
        do { _ = try CheckTarget.parse(value, asHost: kind == .host) } catch {
            throw ServeConfigError("\(r.path): \(error.description)")
        }
        return t
    }

    static func parseHistory(_ r: YAMLReader, base: String) throws -> HistoryConfig {
        try r.onlyKeys(["path", "keep_days", "keep_runs"])
        var h = HistoryConfig()
        h.path = Self.resolve(try r.string("path") ?? h.path, base: base)
        h.keepDays = try r.int("keep_days", in: 1...36_500) ?? h.keepDays
        h.keepRuns = try r.int("keep_runs", in: 1...100_000_000) ?? h.keepRuns
        return h
    }

    static func parseProbe(_ r: YAMLReader) throws -> ProbeConfig {
        try r.onlyKeys(["allow", "allow_configured_targets", "default_timeout"])
        var p = ProbeConfig()
        p.allow = try r.strings("allow") ?? []
        for (i, a) in p.allow.enumerated() where a.isEmpty || a.contains(" ") {
            throw ServeConfigError("probe.allow[\(i)]: '\(a)' is not a CIDR block or host pattern")
        }
        p.allowConfiguredTargets = try r.bool("allow_configured_targets") ?? true
        p.defaultTimeout = try r.duration("default_timeout") ?? p.defaultTimeout
        return p
    }
}
