import ArgumentParser
import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailCore
import Reporting

/// `mxray split DOMAIN --view inside=ADDR --view outside=ADDR`: split-horizon DNS compared.
struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Compare a domain's mail DNS as two or more resolvers (inside, outside) see it.",
        discussion: """
        Runs the locate stage of `mxray dns` once per --view (LABEL=RESOLVER) and reports the
        differences as findings: the MX set, each mail host's addresses, status and CNAMEs,
        reverse DNS of shared addresses, and the DNSSEC state. Split-horizon DNS is often
        intended (an intranet relay); the findings say what differs so you can confirm it is.

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run.

        Examples:
          mxray split example.org --view inside=10.0.0.53 --view outside=9.9.9.9
          mxray split good.lab.test --view inside=127.0.10.55 --view outside=127.0.10.54 --format json
        """
    )

    @Argument(help: "The domain whose mail DNS to compare.")
    var domain: String

    @Option(name: .customLong("view"), help: "LABEL=RESOLVER[:PORT], e.g. inside=10.0.0.53; give at least two.")
    var views: [String] = []

    @OptionGroup var output: NetReportOptions

    func validate() throws {
        do { _ = try DomainName(domain) } catch { throw ValidationError("'\(domain)' is not a domain name: \(error)") }
        guard views.count >= 2 else { throw ValidationError("give at least two --view LABEL=RESOLVER (e.g. --view inside=10.0.0.53 --view outside=9.9.9.9)") }
        var labels: Set<String> = []
        for v in views {
            let spec: ViewSpec
            do { spec = try ViewSpec.parse(v) } catch { throw ValidationError(error.description) }
            guard labels.insert(spec.label).inserted else { throw ValidationError("view label '\(spec.label)' is given twice") }
        }
    }

    func run() async throws {
        let name = try DomainName(domain)
        var specs: [ViewSpec] = []
        for v in views {
            do { specs.append(try ViewSpec.parse(v)) } catch { throw MXRayError.usage(error.description) }
        }
        let ms = output.timeoutMilliseconds
        let results = await withTaskGroup(of: (Int, LabelledLocate).self) { group in
            for (i, spec) in specs.enumerated() {
                group.addTask {
                    // No cache sharing between views: each resolver answers for itself.
                    let config = ResolverConfiguration(servers: [spec.server], timeout: .milliseconds(ms), attempts: 2, source: "--view \(spec.label)")
                    let r = await LocateStage(resolver: NetworkDNSResolver(configuration: config), checkNameservers: false).run(name)
                    return (i, LabelledLocate(label: spec.label, resolver: spec.server.description, result: r))
                }
            }
            var out: [(Int, LabelledLocate)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let report = SplitViewComparison.compare(name, results)
        print(output.json ? try NetReportRenderer.json(report) : NetReportRenderer.text(report))
        try output.exitForFindings(report.findings)
    }
}
