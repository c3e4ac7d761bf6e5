import Foundation
import LabSupport

/// A real `mxray serve` (or other daemon) process for the end-to-end tests, output in a file.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to exit; returns its status or nil on timeout.
    func wait(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills it for good (end of a test).
    func stop() async {
        guard process.isRunning else { return }
        signal(SIGKILL)
        _ = await wait(timeout: 5)
    }

    /// Polls `check` every 200 ms until it returns a value or `timeout` passes.
    static func poll<T>(timeout: Double, _ check: () throws -> T?) async rethrows -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let v = try check() { return v }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }
}
