import ArgumentParser

/// An error a person can act on: one line saying what went wrong and what to do.
/// `exitCode` follows the design: 2 usage, 3 could not run.
public struct MXRayError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case usage, couldNotRun }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func usage(_ m: String) -> MXRayError { .init(.usage, m) }
    public static func couldNotRun(_ m: String) -> MXRayError { .init(.couldNotRun, m) }

    public var description: String { message }
    public var exitCode: Int32 { kind == .usage ? 2 : 3 }
}

/// Exit with findings-based status (0 or 1) from inside a command.
public struct FindingsExit: Error, Sendable {
    public let code: Int32
    public init(_ code: Int32) { self.code = code }
}
