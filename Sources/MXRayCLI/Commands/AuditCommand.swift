import ArgumentParser
import Diagnosis
import DNSWire
import Foundation
import MailCore
import Reporting
#if canImport(Glibc)
import Glibc
#endif

/// `mxray audit DOMAIN --profile NAME`: the check, then its findings mapped to the controls of
/// a compliance profile, each pass / fail / not assessed with the findings behind it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Map a domain's check findings to the controls of a compliance profile.",
        discussion: """
        Runs the same check as `mxray check` (DNS, policies, ports, TLS) and evaluates a profile:
        each control passes, fails (with the findings that fail it and their evidence) or is not
        assessed (not observable from outside, or the stage it needs could not test). Profiles
        are versioned data citing the documents' section numbers; titles are paraphrased.

        Profiles (--profile):
          nist-800-177r1  NIST SP 800-177 Rev. 1, Trustworthy Email (§4.4-4.6, §5.2, §6)
          gdpr-art32      GDPR Art. 32, transport-security reading (TLS 1.2+)
          mlps2-l3        MLPS 2.0 level 3 (等保2.0 三级), GB/T 22239-2019 §8.1, observable items
          bsi-tr-03108    BSI TR-03108-1 Secure E-Mail Transport (§3.1, §3.2)
        --list-profiles prints them with every control.

        Exit codes: 0 no control fails, 1 a control fails, 2 usage error, 3 could not run.

        Examples:
          mxray audit example.org --profile nist-800-177r1
          mxray audit example.org --profile bsi-tr-03108 --format html > audit.html
          mxray audit example.org --profile mlps2-l3 --format markdown --resolver 127.0.10.54
          mxray audit --list-profiles
        """
    )

    @Argument(help: "The mail domain (or an e-mail address) to audit.")
    var target: String?

    @Option(help: "The profile: nist-800-177r1, gdpr-art32, mlps2-l3 or bsi-tr-03108.")
    var profile: String?

    @Flag(name: .customLong("list-profiles"), help: "List the profiles and their controls, then exit.")
    var listProfiles = false

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT]; repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @Option(help: "Overall deadline in seconds for the check.")
    var timeout: Double = 60

    @Option(help: "Output format: text, json, markdown or html.")
    var format: String = "text"

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust.")
    var caFile: String?

    @Flag(name: .customLong("no-relay-test"), help: "Skip the open-relay test (controls that need it then rely on the other probes).")
    var noRelayTest = false

    @Option(name: .customLong("dkim-selector"), help: "A DKIM selector to look up besides the common ones; repeatable.")
    var dkimSelectors: [String] = []

    static let formats = ["text", "json", "markdown", "html"]

    func validate() throws {
        if listProfiles { return }
        guard let target else { throw ValidationError("give a DOMAIN to audit (or --list-profiles)") }
        do { _ = try CheckTarget.parse(target) } catch { throw ValidationError(error.description) }
        guard let profile else { throw ValidationError("give --profile (\(ComplianceProfiles.all.map(\.id).joined(separator: ", ")))") }
        guard ComplianceProfiles.profile(profile) != nil else {
            throw ValidationError("unknown profile '\(profile)' (use \(ComplianceProfiles.all.map(\.id).joined(separator: ", ")))")
        }
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, [::1]:53)")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        guard Self.formats.contains(format) else { throw ValidationError("--format must be one of \(Self.formats.joined(separator: ", ")), not '\(format)'") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
    }

    func run() async throws {
        if listProfiles {
            for p in ComplianceProfiles.all {
                print("\(p.id) — \(p.name)\n  \(p.document) (\(p.documentVersion)), mapping v\(p.version)")
                for c in p.controls { print("    §\(c.section) \(c.title)\(c.observable ? "" : " [not observable]")") }
            }
            return
        }
        guard let target, let profile, let chosen = ComplianceProfiles.profile(profile) else { throw MXRayError.usage("give DOMAIN and --profile") }
        var settings = CheckWiring.Settings(resolver: try CheckWiring.resolverConfiguration(resolvers), caFile: caFile)
        settings.relayTest = !noRelayTest
        settings.options.timeout = .milliseconds(Int64(timeout * 1000))
        settings.options.dkimSelectors = dkimSelectors
        let engine: CheckEngine
        do { engine = try CheckWiring.engine(settings) } catch let e as MXRayError { throw e } catch {
            throw MXRayError.couldNotRun("cannot set up TLS: \(error)")
        }
        let checkTarget: CheckTarget
        do { checkTarget = try CheckTarget.parse(target) } catch { throw MXRayError.usage(error.description) }
        if format == "text", isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("auditing \(checkTarget.input) against \(chosen.id) (timeout \(Int(timeout)) s)…\n".utf8))
        }
        let report = await engine.run(checkTarget)
        if let reason = CheckCommand.couldNotRun(report) { throw MXRayError.couldNotRun(reason) }
        let audit = chosen.evaluate(report)
        let r = AuditRenderer()
        switch format {
        case "json": print(try JSONOutput.encode(audit))
        case "markdown": print(r.markdown(audit), terminator: "")
        case "html": print(r.html(audit), terminator: "")
        default: print(r.text(audit))
        }
        if audit.failed > 0 { throw FindingsExit(1) }
    }
}
