import ArgumentParser
import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailAuth
import MailCore
import Reporting
import Wiring

/// `mxray dns DOMAIN`: the locate stage on its own.
struct DNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Show a domain's mail DNS: MX hosts, addresses, reverse DNS, name servers, DNSSEC, SPF/DMARC/DKIM/MTA-STS.",
        discussion: """
        Resolves the MX set (null MX, implicit MX, CNAME and missing targets), every host's A/AAAA
        with PTR and forward-confirmed reverse DNS, asks each authoritative server directly for the
        SOA serial and the MX set, and reports whether answers were DNSSEC-validated (AD).
        Then the mail-authentication policies: SPF (lint and lookups used), DMARC (with the
        organisational domain), DKIM keys under known selectors, MTA-STS (record, the policy fetched
        over HTTPS, which MX hosts it covers), TLS-RPT and BIMI.
        Servers come from /etc/resolv.conf unless --resolver is given.

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run (the domain does not exist, no resolver answered).

        Examples:
          mxray dns example.org
          mxray dns example.org --resolver 127.0.10.54 --format json
          mxray dns example.org --resolver [::1]:5353 --timeout 1
          mxray dns example.org --dkim-selector s2024 --no-policies
        """
    )

    @Argument(help: "The domain whose mail DNS to show.")
    var domain: String

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT] (IPv4 or [IPv6]); repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(help: "Seconds to wait for one server on one try (default: resolv.conf's, or 2 with --resolver).")
    var timeout: Double?

    @Option(help: "Rounds over the servers before giving up (default: resolv.conf's, or 2 with --resolver).")
    var attempts: Int?

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity (pass, info, notice, warning, error, critical).")
    var failOn: String = "error"

    @Option(name: .customLong("dkim-selector"), help: "A DKIM selector to look up (repeatable); tried before the built-in list.")
    var dkimSelectors: [String] = []

    @Option(name: .customLong("ca-file"), help: "PEM file of CA certificates to trust when fetching the MTA-STS policy (default: system roots).")
    var caFile: String?

    @Option(name: .customLong("dmarc-spec"), help: "DMARC rules to apply: rfc7489 or rfc9989.")
    var dmarcSpec: String = "rfc7489"

    @Flag(name: .customLong("no-policies"), help: "Skip SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI.")
    var noPolicies = false

    func validate() throws {
        guard DMARCSpec(rawValue: dmarcSpec) != nil else { throw ValidationError("--dmarc-spec must be rfc7489 or rfc9989, not '\(dmarcSpec)'") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file '\(caFile)' is not a readable file")
        }
        do { _ = try DomainName(domain) } catch { throw ValidationError("'\(domain)' is not a domain name: \(error)") }
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, 127.0.0.1:5353, [::1]:53)")
        }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        if let timeout, !(timeout > 0 && timeout <= 60) { throw ValidationError("--timeout must be between 0 and 60 seconds") }
        if let attempts, !(1...5).contains(attempts) { throw ValidationError("--attempts must be 1…5") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
    }

    func resolverConfiguration() throws -> ResolverConfiguration {
        var config: ResolverConfiguration
        if resolvers.isEmpty {
            do { config = try ResolverConfiguration.system() } catch {
                throw MXRayError.couldNotRun("cannot read /etc/resolv.conf (\(error)); give a server with --resolver HOST[:PORT]")
            }
            guard !config.servers.isEmpty else {
                throw MXRayError.couldNotRun("/etc/resolv.conf lists no nameserver; give one with --resolver HOST[:PORT]")
            }
        } else {
            config = ResolverConfiguration(servers: resolvers.compactMap { DNSServerAddress(parsing: $0) },
                                           timeout: .seconds(2), attempts: 2, source: "--resolver")
        }
        if let timeout { config.timeout = .milliseconds(Int64(timeout * 1000)) }
        if let attempts { config.attempts = attempts }
        return config
    }

    func run() async throws {
        let name = try DomainName(domain)
        let config = try resolverConfiguration()
        let resolver = NetworkDNSResolver(configuration: config)
        let result = await LocateStage(resolver: resolver).run(name)

        switch result.mxKind {
        case .nxdomain:
            throw MXRayError.couldNotRun("\(name) does not exist (NXDOMAIN from \(result.resolvers.joined(separator: ", ")))")
        case .failed:
            // No answer at all from any server: nothing to report on.
            let mxTraces = result.traces.filter { $0.question.type == .mx && $0.question.name == name }
            if mxTraces.allSatisfy({ $0.rcode == nil }) {
                throw MXRayError.couldNotRun(result.failure ?? "no DNS server answered")
            }
        default:
            break
        }

        var auth: AuthResult?
        if !noPolicies, result.mxKind != .nxdomain {
            var stage = AuthStage(resolver: resolver, fetcher: HTTPSMTASTSFetcher(resolver: resolver, caFile: caFile),
                                  dkimSelectors: dkimSelectors)
            stage.dmarcSpec = DMARCSpec(rawValue: dmarcSpec) ?? .rfc7489
            auth = await stage.run(name, mxHosts: result.hosts.map(\.name))
        }

        switch format {
        case "json": print(try DNSReportRenderer.json(result, auth: auth))
        default:
            print(DNSReportRenderer.text(result))
            if let auth { print("\n" + AuthReportRenderer.text(auth)) }
        }
        let threshold = Severity(rawValue: failOn) ?? .error
        let findings = result.findings + (auth?.findings ?? [])
        if findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }
}
