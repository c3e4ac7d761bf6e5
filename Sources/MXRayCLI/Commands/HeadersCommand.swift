import ArgumentParser
import DNSClient
import DNSWire
import Diagnosis
import Foundation
import MailCore
import Reporting

/// `mxray headers FILE.eml`: the path a delivered message took and why it was (not) trusted.
struct HeadersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headers",
        abstract: "Explain a delivered message's path, delays and authentication from its headers.",
        discussion: """
        Reads a message as delivered (an .eml file, a Maildir file, or "show original" pasted to
        stdin) and reports: every hop of the Received chain in travel order with its delay (the
        dates after the last ";", zones normalised; missing dates and clocks that run behind are
        shown, not hidden), where the time went (before the sender's server, in transit, at the
        receiver), TLS per hop where the receiver stated it; the SPF, DKIM, DMARC and ARC
        verdicts of the receivers' Authentication-Results (RFC 8601); and, independently, our own
        verification of every DKIM signature (RFC 6376) and of the ARC chain (RFC 8617) with keys
        from DNS (--resolver, default /etc/resolv.conf) or supplied with --key. It ends with why
        the message may land in spam: which check failed and which record to fix.

        Exit codes: 0 no finding at or above --fail-on (default error), 1 findings at or above
        it, 2 usage error, 3 could not run (unreadable file, not a message).

        Example:
          mxray headers message.eml --resolver 127.0.10.54
          mxray headers - --format json < message.eml
          mxray headers forwarded.eml --key 'sel1._domainkey.example.org=v=DKIM1; k=rsa; p=MIIB…'
        """
    )

    @Argument(help: "The message file (RFC 5322, CRLF or LF line ends); - or nothing reads stdin.")
    var file: String = "-"

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT] for DKIM/ARC keys; repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @Option(name: .customLong("key"), help: "Supply a key record as NAME=TXT (e.g. 'sel._domainkey.example.org=v=DKIM1; p=…'); repeatable. With --key and no --resolver, no DNS is used.")
    var keys: [String] = []

    @Option(help: "Seconds to wait for one DNS server on one try (default 2 with --resolver).")
    var timeout: Double?

    @Option(help: "Output format: text, json, markdown or html.")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity (pass, info, notice, warning, error, critical).")
    var failOn: String = "error"

    static let maxMessageBytes = 64 << 20

    func validate() throws {
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, [::1]:53)")
        }
        for k in keys {
            guard let eq = k.firstIndex(of: "="), (try? DomainName(String(k[..<eq]))) != nil else {
                throw ValidationError("--key '\(k.prefix(40))' is not NAME=TXT-record (e.g. sel._domainkey.example.org=v=DKIM1; p=…)")
            }
        }
        guard ["text", "json", "markdown", "html"].contains(format) else { throw ValidationError("--format must be text, json, markdown or html, not '\(format)'") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let timeout, !(timeout > 0 && timeout <= 60) { throw ValidationError("--timeout must be between 0 and 60 seconds") }
    }

    func readMessage() throws -> [UInt8] {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: file) else { throw MXRayError.couldNotRun("cannot read \(file): no such file or not readable") }
            data = d
        }
        guard data.count <= Self.maxMessageBytes else { throw MXRayError.couldNotRun("\(file) is larger than 64 MiB; give the header block only") }
        return [UInt8](data)
    }

    func resolver() throws -> (any DNSResolver, String) {
        var zone = InMemoryDNSResolver.Zone()
        for k in keys {
            let eq = k.firstIndex(of: "=")!
            let bytes = Array(k[k.index(after: eq)...].utf8)
            let chunks = stride(from: 0, to: bytes.count, by: 255).map { Array(bytes[$0..<min($0 + 255, bytes.count)]) }
            zone.add(try DomainName(String(k[..<eq])), .txt(TXTRecord(strings: chunks)))
        }
        let supplied = InMemoryDNSResolver(zone: zone)
        if resolvers.isEmpty && !keys.isEmpty { return (supplied, "supplied keys (--key)") }
        var config: ResolverConfiguration
        if resolvers.isEmpty {
            do { config = try ResolverConfiguration.system() } catch {
                throw MXRayError.couldNotRun("cannot read /etc/resolv.conf (\(error)); give a server with --resolver HOST[:PORT] or keys with --key")
            }
        } else {
            config = ResolverConfiguration(servers: resolvers.compactMap { DNSServerAddress(parsing: $0) }, timeout: .seconds(2), attempts: 2, source: "--resolver")
        }
        if let timeout { config.timeout = .milliseconds(Int64(timeout * 1000)) }
        let network = NetworkDNSResolver(configuration: config)
        let source = "resolver " + config.servers.map(\.description).joined(separator: ", ")
        if keys.isEmpty { return (network, source) }
        return (SuppliedFirstResolver(supplied: supplied, names: Set(zone.records.map(\.name)), fallback: network), "supplied keys, then \(source)")
    }

    func run() async throws {
        let message = try readMessage()
        let (resolver, source) = try resolver()
        let analysis: HeaderAnalysis
        do { analysis = try await HeaderAnalyzer(resolver: resolver, keySource: source).analyze(message: message) } catch {
            throw MXRayError.couldNotRun("\(file == "-" ? "stdin" : file): \(error)")
        }
        switch format {
        case "json": print(try HeadersRenderer.json(analysis))
        case "markdown": print(HeadersRenderer.markdown(analysis), terminator: "")
        case "html": print(HeadersRenderer.html(analysis), terminator: "")
        default: print(HeadersRenderer.text(analysis))
        }
        let threshold = Severity(rawValue: failOn) ?? .error
        if analysis.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }
}

/// Answers supplied names from memory and everything else through the network.
struct SuppliedFirstResolver: DNSResolver {
    let supplied: InMemoryDNSResolver
    let names: Set<DomainName>
    let fallback: any DNSResolver
    func resolve(_ query: DNSQuery) async -> DNSAnswer {
        names.contains(query.name) ? await supplied.resolve(query) : await fallback.resolve(query)
    }
}
