import Foundation

/// Typed access to a parsed YAML mapping with errors that name the key path
/// (`targets[2].interval: …`). Unknown keys are errors, so a typo never silently does nothing.
struct YAMLReader {
    let map: [String: Any]
    let path: String

    init(_ value: Any?, path: String) throws {
        if value == nil || value is NSNull {
            self.map = [:]
        } else if let m = value as? [String: Any] {
            self.map = m
        } else if let m = value as? [AnyHashable: Any] {
            var out: [String: Any] = [:]
            for (k, v) in m { out["\(k)"] = v }
            self.map = out
        } else {
            throw ServeConfigError("\(path.isEmpty ? "the file" : path) must be a mapping of keys to values")
        }
        self.path = path
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func onlyKeys(_ allowed: Set<String>) throws {
        for key in map.keys.sorted() where !allowed.contains(key) {
            throw ServeConfigError("\(at(key)): unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func has(_ key: String) -> Bool { map[key] != nil && !(map[key] is NSNull) }

    func string(_ key: String) throws -> String? {
        guard has(key), let v = map[key] else { return nil }
        if let s = v as? String { return s }
        if let i = v as? Int { return String(i) }
        if let d = v as? Double { return String(d) }
        throw ServeConfigError("\(at(key)): expected a string")
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard has(key), let v = map[key] else { return nil }
        guard let i = v as? Int else { throw ServeConfigError("\(at(key)): expected a whole number") }
        guard range.contains(i) else { throw ServeConfigError("\(at(key)): \(i) is outside \(range.lowerBound)…\(range.upperBound)") }
        return i
    }

    func double(_ key: String) throws -> Double? {
        guard has(key), let v = map[key] else { return nil }
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        throw ServeConfigError("\(at(key)): expected a number")
    }

    func bool(_ key: String) throws -> Bool? {
        guard has(key), let v = map[key] else { return nil }
        guard let b = v as? Bool else { throw ServeConfigError("\(at(key)): expected true or false") }
        return b
    }

    func strings(_ key: String) throws -> [String]? {
        guard has(key), let v = map[key] else { return nil }
        if let s = v as? String { return [s] }
        guard let a = v as? [Any] else { throw ServeConfigError("\(at(key)): expected a list") }
        return try a.enumerated().map { i, e in
            if let s = e as? String { return s }
            if let n = e as? Int { return String(n) }
            throw ServeConfigError("\(at(key))[\(i)]: expected a string")
        }
    }

    func ints(_ key: String, in range: ClosedRange<Int>) throws -> [Int]? {
        guard has(key), let v = map[key] else { return nil }
        guard let a = v as? [Any] else { throw ServeConfigError("\(at(key)): expected a list of numbers") }
        return try a.enumerated().map { i, e in
            guard let n = e as? Int, range.contains(n) else {
                throw ServeConfigError("\(at(key))[\(i)]: expected a number in \(range.lowerBound)…\(range.upperBound)")
            }
            return n
        }
    }

    func list(_ key: String) throws -> [YAMLReader] {
        guard has(key), let v = map[key] else { return [] }
        guard let a = v as? [Any] else { throw ServeConfigError("\(at(key)): expected a list") }
        return try a.enumerated().map { try YAMLReader($1, path: "\(at(key))[\($0)]") }
    }

    func mapping(_ key: String) throws -> YAMLReader { try YAMLReader(map[key], path: at(key)) }

    /// `30s`, `5m`, `1h`, `500ms`, `2d`, or a plain number of seconds.
    func duration(_ key: String) throws -> Duration? {
        guard let text = try string(key) else { return nil }
        guard let d = Self.parseDuration(text), d > .zero else {
            throw ServeConfigError("\(at(key)): '\(text)' is not a duration (e.g. 500ms, 30s, 5m, 1h)")
        }
        return d
    }

    static func parseDuration(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            // "5m" must not be read as "5" + "m" of "ms": try longer suffixes first (ms before s/m).
            guard let v = Double(number), v.isFinite, v >= 0 else { continue }
            return .milliseconds(Int64((v * factor * 1000).rounded()))
        }
        if let v = Double(t), v.isFinite, v >= 0 { return .milliseconds(Int64((v * 1000).rounded())) }
        return nil
    }
}
