import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `scripts/lab delay …` and waits for it with posix_spawn/waitpid. (Foundation's Process
/// here never saw the exit of a bash that leaves a disowned delayer behind — the child stayed a
/// zombie and waitUntilExit hung — so the tests that add delay spawn the script through this.)
/// Use a lab address only your tests use, and remove it with `[ADDR, "off"]`: a plain
/// `scripts/lab delay off` would stop every other test's delay too.
public enum LabDelay {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// `scripts/lab delay ADDR MS LOSS` or `scripts/lab delay ADDR off`; output goes to a temp file
    /// that is returned on failure. Stops waiting after `timeout` seconds.
    public static func run(_ arguments: [String], timeout: Double = 60) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-net-delay-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let argv = ["/bin/bash", "\(LabDelay.repoRoot)/scripts/lab", "delay"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { throw Failed(description: "cannot start scripts/lab: errno \(rc)") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0); throw Failed(description: "scripts/lab delay \(arguments.joined(separator: " ")) took over \(Int(timeout)) s") }
            usleep(20_000)
        }
        let exited = status & 0x7F == 0, code = (status >> 8) & 0xFF
        if !exited || code != 0 {
            let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Failed(description: "scripts/lab delay \(arguments.joined(separator: " ")) failed (\(code)): \(out.suffix(400))")
        }
    }
}
