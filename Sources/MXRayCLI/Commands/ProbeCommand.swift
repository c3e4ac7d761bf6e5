import ArgumentParser
import Diagnosis
import DNSClient
import DNSWire
import Foundation
import MailCore
import MailWire
import NIOCore
import Probes
import Reporting

/// `mxray probe HOST|ADDR`: reachability and the SMTP/IMAP/POP3 dialogue of every port.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe a mail host's ports: reachability, SMTP/IMAP/POP3 dialogue, STARTTLS, exposure.",
        discussion: """
        For every address of the host and every port (default 25, 465, 587, 143, 993, 110, 995):
        open, refused, filtered or unreachable with the connect time; the greeting (and software
        it looks like), EHLO/CAPABILITY/CAPA before and after STARTTLS or on implicit TLS, and
        exposure checks: AUTH or plaintext login before TLS, VRFY/EXPN, an open-relay test that
        stops at RCPT (never DATA), the STARTTLS command-injection test. "Could not test"
        (silent greeting, 421, stalls) is reported apart from failures.

        A host name is resolved with the system resolver, or with --resolver. Certificates are
        checked and reported but never stop the probe; --ca-file adds a trusted CA.

        Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage error,
        3 could not run (the name does not resolve).

        Examples:
          mxray probe mx1.example.org
          mxray probe 192.0.2.25 --ports 25,587 --no-relay-test
          mxray probe mx1.example.org --resolver 127.0.10.54 --ca-file lab-ca.crt --transcript
          mxray probe mx1.example.org --format json
        """
    )

    @Argument(help: "Host name or IP address of the mail server.")
    var host: String

    @Option(name: .customLong("port"), help: "A port to probe; repeatable.")
    var singlePorts: [Int] = []

    @Option(name: .customLong("ports"), help: "Comma-separated ports (default 25,465,587,143,993,110,995).")
    var portList: String?

    @Option(name: .customLong("per-host"), help: "At most this many connections to one address at a time.")
    var perHost: Int = 4

    @Option(help: "Overall deadline in seconds for the whole probe.")
    var timeout: Double = 60

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for a connection before calling the port filtered.")
    var connectTimeout: Double = 5

    @Option(name: .customLong("greeting-timeout"), help: "Seconds to wait for the greeting.")
    var greetingTimeout: Double = 20

    @Flag(name: .customLong("no-relay-test"), help: "Skip the open-relay test (MAIL FROM/RCPT TO with outside addresses).")
    var noRelayTest = false

    @Flag(name: .customLong("no-injection-test"), help: "Skip the STARTTLS command-injection test.")
    var noInjectionTest = false

    @Flag(help: "Show every session's transcript (credentials never appear).")
    var transcript = false

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .customLong("resolver"), help: "Resolve HOST with this DNS server HOST[:PORT] instead of the system resolver.")
    var resolver: String?

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust when checking certificates.")
    var caFile: String?

    @Option(name: .customLong("helo"), help: "The name to send in EHLO/HELO.")
    var helo: String = "mxray.invalid"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity (pass, info, notice, warning, error, critical).")
    var failOn: String = "error"

    var ports: [Int] {
        let listed = (portList ?? "").split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let all = singlePorts + listed
        return all.isEmpty ? MailProber.defaultPorts : all.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    func validate() throws {
        if let portList {
            for p in portList.split(separator: ",") where Int(p.trimmingCharacters(in: .whitespaces)).map({ !(1...65535).contains($0) }) ?? true {
                throw ValidationError("--ports must be comma-separated numbers 1…65535, not '\(p)'")
            }
        }
        for p in singlePorts where !(1...65535).contains(p) { throw ValidationError("--port \(p) is not 1…65535") }
        guard (1...64).contains(perHost) else { throw ValidationError("--per-host must be 1…64") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        guard connectTimeout > 0, connectTimeout <= 120 else { throw ValidationError("--connect-timeout must be between 0 and 120 seconds") }
        guard greetingTimeout > 0, greetingTimeout <= 600 else { throw ValidationError("--greeting-timeout must be between 0 and 600 seconds") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let resolver, DNSServerAddress(parsing: resolver) == nil { throw ValidationError("--resolver '\(resolver)' is not HOST[:PORT] with an IP address") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
        do { try WireTextCheck.field(helo, "--helo") } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let targets = try await HostResolution.targets(for: host, resolver: resolver)
        var options = ProbeOptions()
        do { options.tls = try ProbeTLSSettings(extraCAFile: caFile) } catch {
            throw MXRayError.couldNotRun("cannot set up TLS: \(error)")
        }
        options.perAddressConcurrency = perHost
        options.overallTimeout = .milliseconds(Int64(timeout * 1000))
        options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        options.greetingTimeout = .milliseconds(Int64(greetingTimeout * 1000))
        options.relayTest = !noRelayTest
        options.injectionTest = !noInjectionTest
        options.heloName = helo
        let started = Date()
        let observations = await MailProber(options: options).probe(targets, ports: ports)
        let analysis = ProbeAnalysis.analyse(observations)
        let report = ProbeReport(target: host, startedAt: started, finishedAt: Date(), ports: observations, findings: analysis.findings)
        switch format {
        case "json": print(try JSONOutput.encode(report))
        default: print(ProbeTextRenderer(showTranscripts: transcript).render(report))
        }
        let threshold = Severity(rawValue: failOn) ?? .error
        if report.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }
}

/// Checks a user-given field the way the wire encoders do.
enum WireTextCheck {
    static func field(_ value: String, _ name: String) throws {
        try MailWire.WireText.checkField(value, name, maxLength: 255)
    }
}

/// Turns the command line's HOST into addresses: an IP as is; a name through --resolver
/// (mxray's own DNS client) or the system's getaddrinfo.
enum HostResolution {
    static func targets(for host: String, resolver: String?) async throws -> [ProbeTarget] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if IPAddress(bare) != nil { return [ProbeTarget(address: bare, host: nil)] }
        let name: DomainName
        do { name = try DomainName(host) } catch { throw MXRayError.usage("'\(host)' is neither an IP address nor a host name: \(error)") }
        var addresses: [String] = []
        if let resolver, let server = DNSServerAddress(parsing: resolver) {
            let r = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "--resolver"))
            addresses = (await r.lookupA(name)).values.map(\.description) + (await r.lookupAAAA(name)).values.map(\.description)
        } else {
            addresses = systemAddresses(name.description)
        }
        guard !addresses.isEmpty else { throw MXRayError.couldNotRun("\(host) has no address (A/AAAA)") }
        return addresses.map { ProbeTarget(address: $0, host: name.description) }
    }

    /// getaddrinfo for a name typed on the command line (the check engine passes addresses
    /// from mxray's own resolver instead).
    static func systemAddresses(_ name: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(ai.pointee.ai_addr, ai.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let s = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(s) { out.append(s) }
            }
            p = ai.pointee.ai_next
        }
        return out
    }
}
