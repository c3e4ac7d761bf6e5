import ArgumentParser
import MailCore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print mxray's version.",
        discussion: "Example:\n  mxray version"
    )

    func run() throws {
        print("mxray \(MXRayVersion.string)")
    }
}
