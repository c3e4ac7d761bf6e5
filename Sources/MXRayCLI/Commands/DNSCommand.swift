import ArgumentParser
import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailCore
import Reporting

/// `mxray dns DOMAIN`: the locate stage on its own.
struct DNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Show a domain's mail DNS: MX hosts, addresses, reverse DNS, name servers, DNSSEC.",
        discussion: """
        Resolves the MX set (null MX, implicit MX, CNAME and missing targets), every host's A/AAAA
        with PTR and forward-confirmed reverse DNS, asks each authoritative server directly for the
        SOA serial and the MX set, and reports whether answers were DNSSEC-validated (AD).
        Servers come from /etc/resolv.conf unless --resolver is given.

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run (the domain does not exist, no resolver answered).

        Examples:
          mxray dns example.org
          mxray dns example.org --resolver 127.0.10.54 --format json
          mxray dns example.org --resolver [::1]:5353 --timeout 1
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

    func validate() throws {
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

        switch format {
        case "json": print(try DNSReportRenderer.json(result))
        default: print(DNSReportRenderer.text(result))
        }
        let threshold = Severity(rawValue: failOn) ?? .error
        if result.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }
}
