import Foundation

/// What `scripts/lab env` prints, for integration tests.
///
/// Read from the process environment (`make test` exports it) or, failing that, from the
/// env file the running lab keeps in its state folder. Without a lab the test fails with one
/// line saying how to start it: integration tests are never skipped silently.
public struct LabEnvironment: Sendable {
    public struct NotRunning: Error, CustomStringConvertible {
        public let missing: String
        public init(missing: String) { self.missing = missing }
        public var description: String {
            "the mail lab is not running (\(missing) unset): start it with `scripts/lab up` (or run `make test`)"
        }
    }

    public let values: [String: String]

    /// Resolver (Unbound) address, port 53.
    public var resolver: String { values["MXRAY_LAB_RESOLVER"] ?? "" }
    /// Authoritative server (Knot) address, port 53.
    public var authoritative: String { values["MXRAY_LAB_AUTH"] ?? "" }
    public var caFile: String { values["MXRAY_LAB_CA_FILE"] ?? "" }
    public var domains: [String] { (values["MXRAY_LAB_DOMAINS"] ?? "").split(separator: ",").map(String.init) }
    public var user: String { values["MXRAY_LAB_USER"] ?? "" }
    public var password: String { values["MXRAY_LAB_PASSWORD"] ?? "" }
    public var postfixLog: String { values["MXRAY_LAB_POSTFIX_LOG"] ?? "" }
    public var dovecotLog: String { values["MXRAY_LAB_DOVECOT_LOG"] ?? "" }
    public var directory: String { values["MXRAY_LAB_DIR"] ?? "" }

    /// A host address by its short name: `GOOD_MX1`, `WEAK_MX`, `BROKEN_DROPPED`, …
    public func address(_ name: String) throws -> String {
        guard let v = values["MXRAY_LAB_" + name], !v.isEmpty else { throw NotRunning(missing: "MXRAY_LAB_" + name) }
        return v
    }

    public static func require() throws -> LabEnvironment {
        var values = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("MXRAY_LAB_") }
        if values["MXRAY_LAB_RESOLVER"] == nil {
            let dir = ProcessInfo.processInfo.environment["MXRAY_LAB_DIR"] ?? "/tmp/mxray-lab"
            if let text = try? String(contentsOfFile: dir + "/env", encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    var l = line
                    if l.hasPrefix("export ") { l = l.dropFirst(7) }
                    guard let eq = l.firstIndex(of: "=") else { continue }
                    var v = String(l[l.index(after: eq)...])
                    if v.hasPrefix("'"), v.hasSuffix("'"), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                    values[String(l[..<eq])] = v
                }
            }
        }
        guard values["MXRAY_LAB_RESOLVER"] != nil else { throw NotRunning(missing: "MXRAY_LAB_RESOLVER") }
        return LabEnvironment(values: values)
    }

    /// Runs a command (an independent peer tool such as `kdig`, `swaks`, `openssl`) and returns
    /// its exit status and combined output. Stops it after `timeout` seconds. Output goes through
    /// a temporary file, so no thread ever blocks on a pipe (safe from async tests on 2 cores).
    public static func run(_ arguments: [String], input: String? = nil, timeout: Double = 30) throws -> (status: Int32, output: String) {
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("mxray-run-\(UUID().uuidString).out")
        let inURL = dir.appendingPathComponent("mxray-run-\(UUID().uuidString).in")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data((input ?? "").utf8))
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: inURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let inp = try FileHandle(forReadingFrom: inURL)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = out
        p.standardError = out
        p.standardInput = inp
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); usleep(200_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try? out.close()
        try? inp.close()
        let data = (try? Data(contentsOf: outURL)) ?? Data()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
