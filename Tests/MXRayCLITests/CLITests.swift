import Testing
import MXRayCLI
import MailCore

@Suite struct CLITests {
    @Test func unknownFlagIsUsageError() async {
        #expect(await MXRayMain.run(["--no-such-flag"]) == 2)
    }

    @Test func versionSucceeds() async {
        #expect(await MXRayMain.run(["--version"]) == 0)
        #expect(await MXRayMain.run(["version"]) == 0)
    }

    @Test func everySubcommandHasHelpWithExample() {
        for sub in MXRay.configuration.subcommands {
            let help = sub.helpMessage()
            #expect(help.contains("Example"), "\(sub._commandName) help lacks an example")
            #expect(!sub.configuration.abstract.isEmpty, "\(sub._commandName) has no abstract")
        }
    }
}
