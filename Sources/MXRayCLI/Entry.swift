import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Entry point used by `main.swift`. Maps errors to the design's exit codes:
/// 0 ok, 1 findings at or above --fail-on, 2 usage, 3 could not run.
public enum MXRayMain {
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        do {
            var command = try MXRay.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let e as FindingsExit {
            return e.code
        } catch let e as MXRayError {
            FileHandle.standardError.write(Data("mxray: \(e.message)\n".utf8))
            return e.exitCode
        } catch {
            let code = MXRay.exitCode(for: error)
            if code == .success {
                // --help and --version print to stdout and succeed.
                print(MXRay.fullMessage(for: error))
                return 0
            }
            let message = MXRay.fullMessage(for: error)
            FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
            if error is CleanExit { return 0 }
            // ArgumentParser reports usage problems as 64 (EX_USAGE); the design says 2.
            if code == .validationFailure || code.rawValue == 64 { return 2 }
            return code.rawValue == 0 ? 0 : 3
        }
    }
}
