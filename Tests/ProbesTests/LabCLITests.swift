import Foundation
import LabSupport
import MXRayCLI
import Testing

/// `mxray probe` and `mxray login` end to end against the lab, through the same entry point
/// as the binary, checking exit codes (0 clean, 1 findings or rejected, 2 usage, 3 could not run).
@Suite(.serialized) struct LabCLITests {
    @Test func probeExitCodes() async throws {
        let lab = try LabEnvironment.require()
        let common = ["--ca-file", lab.caFile, "--connect-timeout", "2", "--timeout", "30"]
        #expect(await MXRayMain.run(["probe", try lab.address("GOOD_MX1"), "--ports", "25,587,993"] + common) == 0)
        #expect(await MXRayMain.run(["probe", try lab.address("WEAK_MX"), "--ports", "25"] + common) == 1)
        #expect(await MXRayMain.run(["probe", try lab.address("BROKEN_RELAY"), "--port", "25", "--format", "json"] + common) == 1)
        // Relay test off: the open relay is not looked for, nothing at error or above remains.
        #expect(await MXRayMain.run(["probe", try lab.address("BROKEN_RELAY"), "--port", "25", "--no-relay-test"] + common) == 0)
        #expect(await MXRayMain.run(["probe", "127.0.0.1", "--ports", "25,x"]) == 2)
        #expect(await MXRayMain.run(["probe", "no such host!"]) == 2)
    }

    @Test func loginExitCodes() async throws {
        let lab = try LabEnvironment.require()
        let url = { (scheme: String) in "\(scheme)://\(lab.user)@\(try lab.address("GOOD_MX1"))" }
        let common = ["--ca-file", lab.caFile, "--host-name", "mx1.good.lab.test"]
        setenv("MXRAY_PASSWORD", lab.password, 1)
        for scheme in ["smtp", "imaps", "pop3"] {
            #expect(await MXRayMain.run(["login", try url(scheme)] + common) == 0, "\(scheme)")
        }
        setenv("MXRAY_PASSWORD", "wrong-password", 1)
        #expect(await MXRayMain.run(["login", try url("imap")] + common) == 1)
        unsetenv("MXRAY_PASSWORD")
        #expect(await MXRayMain.run(["login", "ftp://a@b"]) == 2)
        #expect(await MXRayMain.run(["login", try url("imaps"), "--mech", "GSSAPI"]) == 2)
        // Nothing listens on 127.0.40.3:993: could not run.
        setenv("MXRAY_PASSWORD", "x", 1)
        #expect(await MXRayMain.run(["login", "imaps://u@\(try lab.address("BROKEN_CLOSED"))"]) == 3)
        unsetenv("MXRAY_PASSWORD")
    }
}
