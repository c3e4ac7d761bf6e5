import ArgumentParser
import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailCore
import Reporting

/// `mxray dnsbl DOMAIN|ADDR`: DNS block-list reputation of a domain's mail addresses.
struct DNSBLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsbl",
        abstract: "Check a domain's mail addresses (MX and SPF senders) or one address against DNS block lists.",
        discussion: """
        For a domain: every MX host's addresses and the outbound addresses its SPF record names
        (ip4/ip6 hosts and networks of up to 16 addresses, a and mx resolved, include and
        redirect followed within SPF's 10 lookups). Each is looked up on every list (RFC 5782:
        reversed octets or nibbles under the list's zone) and the answer classified: listed (with
        the list's TXT reason), not listed, refused — the list's error codes such as Spamhaus'
        127.255.255.254 (query through a public resolver) and 127.255.255.255 (rate limit), or
        127.0.0.1 — which say nothing about the address, and no answer (timeout, SERVFAIL).
        Each list is also asked for its RFC 5782 §5 test entries to catch dead lists.

        Default lists: zen.spamhaus.org, bl.spamcop.net, b.barracudacentral.org,
        psbl.surriel.com, dnsbl-1.uceprotect.net. Public lists refuse queries through large
        public resolvers: use your own resolver.

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run (no resolver).

        Examples:
          mxray dnsbl example.org
          mxray dnsbl 192.0.2.25 --zone zen.spamhaus.org --zone bl.spamcop.net
          mxray dnsbl broken.lab.test --zone bl.lab.test --resolver 127.0.10.54
        """
    )

    @Argument(help: "A domain (its MX and SPF addresses are checked) or one IP address.")
    var subject: String

    @Option(name: .customLong("zone"), help: "A block-list zone to query; repeatable (replaces the default lists).")
    var zones: [String] = []

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT]; repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @OptionGroup var output: NetReportOptions

    func validate() throws {
        if IPAddress(subject) == nil {
            do { _ = try DomainName(subject) } catch { throw ValidationError("'\(subject)' is neither an IP address nor a domain name: \(error)") }
        }
        for z in zones {
            do { _ = try DomainName(z) } catch { throw ValidationError("--zone '\(z)' is not a domain name: \(error)") }
        }
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, [::1]:53)")
        }
    }

    func run() async throws {
        var config = try CheckWiring.resolverConfiguration(resolvers)
        config.timeout = .milliseconds(output.timeoutMilliseconds)
        let resolver = NetworkDNSResolver(configuration: config)
        let zoneList = zones.isEmpty ? DNSBLZone.defaults : zones.compactMap { try? DNSBLZone.named(DomainName($0)) }
        let check = DNSBLCheck(resolver: resolver, zones: zoneList)
        let report: DNSBLReport
        if let ip = IPAddress(subject) {
            report = await check.run(subject: ip.description, targets: [DNSBLTarget(address: ip, roles: ["given"])])
        } else {
            report = await check.run(domain: try DomainName(subject))
        }
        print(output.json ? try NetReportRenderer.json(report) : NetReportRenderer.text(report))
        try output.exitForFindings(report.findings)
    }
}
