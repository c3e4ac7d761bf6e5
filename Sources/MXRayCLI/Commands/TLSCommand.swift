import ArgumentParser
import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailCore
import NIOCore
import Probes
import Reporting
import TLSWire

/// `mxray tls HOST:PORT`: versions, suites in server order, groups (post-quantum included),
/// certificate, DANE, grade.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Scan a mail port's TLS: versions, suites, groups (post-quantum too), certificate, DANE, grade.",
        discussion: """
        Sends hand-built ClientHellos (after STARTTLS on 25/587/143/110, or directly on 465/993/995/443)
        to find every accepted version from SSLv3 to TLS 1.3, the accepted cipher suites of each in
        the server's order (by elimination), the key-exchange groups including the post-quantum
        hybrids (X25519MLKEM768 and others, detected through HelloRetryRequest), secure
        renegotiation, compression, extended master secret, OCSP stapling, session resumption and
        fallback SCSV. The certificate chain comes from a full handshake and is checked against the
        system roots (or --ca-file), the host name and its expiry; TLSA records at _PORT._tcp.HOST
        are matched (DANE). Everything is graded by the NCSC-NL levels: good, sufficient, phase-out,
        insufficient; the port gets the worst.

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run.

        Example:
          mxray tls mx1.example.org:25
          mxray tls mx1.example.org:993 --format json
          mxray tls 127.0.20.1:587 --host mx1.good.lab.test --starttls smtp --ca-file lab-ca.crt --resolver 127.0.10.54
        """
    )

    @Argument(help: "HOST:PORT (host name or IP address; [v6]:port).")
    var target: String

    @Option(help: "STARTTLS protocol before the handshake: smtp, imap or pop3 (default from the port).")
    var starttls: String?

    @Flag(name: .customLong("implicit"), help: "Start TLS at once, even on a STARTTLS port.")
    var implicit = false

    @Option(name: .customLong("host"), help: "Host name for SNI, the certificate check and DANE when TARGET is an address.")
    var hostName: String?

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust.")
    var caFile: String?

    @Option(name: .customLong("resolver"), help: "DNS server HOST[:PORT] for the address and the TLSA lookup.")
    var resolver: String?

    @Option(name: .customLong("per-host"), help: "At most this many connections at a time.")
    var perHost: Int = 16

    @Option(help: "Overall deadline in seconds.")
    var timeout: Double = 120

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity.")
    var failOn: String = "error"

    func validate() throws {
        guard Self.split(target) != nil else { throw ValidationError("TARGET must be HOST:PORT, not '\(target)'") }
        if let starttls, StartTLSProtocol(rawValue: starttls) == nil { throw ValidationError("--starttls must be smtp, imap or pop3") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        guard (1...64).contains(perHost) else { throw ValidationError("--per-host must be 1…64") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be a severity") }
        if let resolver, DNSServerAddress(parsing: resolver) == nil { throw ValidationError("--resolver '\(resolver)' is not HOST[:PORT]") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
    }

    static func split(_ t: String) -> (String, Int)? {
        guard let colon = t.lastIndex(of: ":"), let port = Int(t[t.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(t[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        guard let (hostPart, port) = Self.split(target) else { throw MXRayError.usage("bad target") }
        let targets = try await HostResolution.targets(for: hostPart, resolver: resolver)
        guard let first = targets.first else { throw MXRayError.couldNotRun("\(hostPart) has no address") }
        let host = hostName ?? first.host ?? hostPart
        let proto = implicit ? nil : starttls.flatMap(StartTLSProtocol.init(rawValue:)) ?? StartTLSProtocol.forPort(port)
        var options = TLSScanOptions(host: host, address: first.address, port: port, starttls: proto)
        options.caFile = caFile
        options.perHostConcurrency = perHost
        options.overallTimeout = .milliseconds(Int64(timeout * 1000))
        let started = Date()
        var scan = await TLSScanner(options: options).scan()
        if scan.status == .completed, let server = resolver.flatMap(DNSServerAddress.init(parsing:)) ?? Self.systemResolver() {
            let dns = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "tls"))
            scan.dane = await TLSDANECheck(resolver: dns).evaluate(host: host, port: port, certificate: scan.certificate)
        }
        let report = TLSReport(startedAt: started, scan: scan, assessment: TLSAssessment(scan: scan))
        switch format {
        case "json": print(try JSONOutput.encode(report))
        default: print(TLSTextRenderer().render(report))
        }
        if scan.status == .unreachable { throw MXRayError.couldNotRun(scan.statusDetail ?? "unreachable") }
        let threshold = Severity(rawValue: failOn) ?? .error
        if report.assessment.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }

    /// The first nameserver of /etc/resolv.conf, only when the user gave no --resolver.
    static func systemResolver() -> DNSServerAddress? {
        guard let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("nameserver") {
            if let a = line.split(separator: " ").last.flatMap({ DNSServerAddress(parsing: String($0)) }) { return a }
        }
        return nil
    }
}
