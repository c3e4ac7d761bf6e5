import ArgumentParser
import DNSClient
import DNSWire
import Foundation
import MailAuth
import MailCore
import Probes
import Reporting

/// `mxray spf DOMAIN --ip ADDR`: RFC 7208 check_host() with the trace of why.
struct SPFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spf",
        abstract: "Evaluate SPF for a sending address and explain the result.",
        discussion: """
        Runs RFC 7208 check_host() for the client address --ip sending as --sender (MAIL FROM;
        with no --sender, postmaster@DOMAIN; with --sender "" the HELO identity is checked as
        postmaster@HELO). Prints the result as RFC 8601 names it (pass, fail, softfail, neutral,
        none, temperror, permerror), the term that matched, the exp= explanation, the lookups
        counted against the limits of 10 and 2 void, and every step and DNS query taken.
        Servers come from /etc/resolv.conf unless --resolver is given.

        Exit codes: 0 a result was computed (whatever it is), 2 usage error, 3 could not run.

        Examples:
          mxray spf example.org --ip 192.0.2.10
          mxray spf example.org --ip 2001:db8::25 --sender bounce@example.org --helo mail.example.org
          mxray spf good.lab.test --ip 127.0.20.1 --resolver 127.0.10.54 --format json
        """
    )

    @Argument(help: "The domain whose SPF record to evaluate (normally the MAIL FROM domain).")
    var domain: String

    @Option(help: "The sending client's IP address (IPv4 or IPv6).")
    var ip: String

    @Option(help: "The MAIL FROM address (default: postmaster@DOMAIN; \"\" for a null reverse-path).")
    var sender: String?

    @Option(help: "The HELO/EHLO name (for %{h} and null reverse-paths).")
    var helo: String?

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT] (IPv4 or [IPv6]); repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @Option(help: "Seconds to wait for one server on one try (default 2 with --resolver).")
    var timeout: Double?

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        do { _ = try DomainName(domain) } catch { throw ValidationError("'\(domain)' is not a domain name: \(error)") }
        guard IPAddress(ip) != nil else { throw ValidationError("--ip '\(ip)' is not an IPv4 or IPv6 address") }
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, [::1]:53)")
        }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        if let timeout, !(timeout > 0 && timeout <= 60) { throw ValidationError("--timeout must be between 0 and 60 seconds") }
    }

    func resolverConfiguration() throws -> ResolverConfiguration {
        var config: ResolverConfiguration
        if resolvers.isEmpty {
            do { config = try ResolverConfiguration.system() } catch {
                throw MXRayError.couldNotRun("cannot read /etc/resolv.conf (\(error)); give a server with --resolver HOST[:PORT]")
            }
            guard !config.servers.isEmpty else { throw MXRayError.couldNotRun("/etc/resolv.conf lists no nameserver; give one with --resolver") }
        } else {
            config = ResolverConfiguration(servers: resolvers.compactMap { DNSServerAddress(parsing: $0) },
                                           timeout: .seconds(2), attempts: 2, source: "--resolver")
        }
        if let timeout { config.timeout = .milliseconds(Int64(timeout * 1000)) }
        return config
    }

    func run() async throws {
        let name = try DomainName(domain)
        let resolver = NetworkDNSResolver(configuration: try resolverConfiguration())
        let request = SPFRequest(ip: IPAddress(ip)!, sender: sender ?? "postmaster@\(name)", helo: helo ?? name.description,
                                 domain: name.description, receiver: "mxray", timestamp: Int(Date().timeIntervalSince1970))
        let evaluation = await SPFEvaluator(resolver: resolver).checkHost(request)
        if evaluation.result == .temperror, evaluation.dnsTraces.allSatisfy({ $0.rcode == nil }) {
            throw MXRayError.couldNotRun("no DNS server answered: \(evaluation.problem ?? "timeout")")
        }
        switch format {
        case "json": print(try SPFReportRenderer.json(evaluation, request: request))
        default: print(SPFReportRenderer.text(evaluation, request: request))
        }
    }
}
