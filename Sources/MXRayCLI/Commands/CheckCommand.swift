import ArgumentParser
import Diagnosis
import DNSWire
import Foundation
import MailCore
import Reporting
import Wiring

/// `mxray check DOMAIN`: locate, probe, audit, then the fault tree — one report.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Diagnose a mail domain end to end: DNS, provider, ports, TLS, policies, root causes.",
        discussion: """
        TARGET is a domain (its MX hosts are found first), an e-mail address (its domain is
        checked) or, with --host, one mail host. The stages run concurrently as soon as their
        inputs exist — locate (MX, addresses, reverse DNS, DNSSEC, provider), auth (SPF, DKIM,
        DMARC, MTA-STS, TLS-RPT), probe (every MX address on 25 and the client ports), TLS
        (versions, weak suites, groups, certificate, DANE on port 25) — under one overall --timeout.
        The TLS stage runs beside the port probes. By default it is a quick assessment: one
        wave of hellos per port answers what the grade and the findings need; --tls-scan full
        enumerates every suite of every version (mxray tls does that for one port). A stage
        that cannot run says "could not test". The fault trees then name the most likely root
        causes of a symptom (--symptom), each with its evidence and fix.

        Exit codes: 0 no finding at or above --fail-on (default error), 1 findings at or above
        it, 2 usage error, 3 could not run (no resolver answered, the domain does not exist).
        With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

        Examples:
          mxray check example.org
          mxray check alice@example.org --symptom bounce
          mxray check example.org --resolver 127.0.10.54 --ca-file lab-ca.crt --format html > report.html
          mxray check example.org --format nagios --timeout 30
          mxray check --from-file domains.txt --format jsonl --concurrency 8
          mxray check --from-file domains.txt --format jsonl --shard $JOB_COMPLETION_INDEX/16

        Bulk runs: --from-file reads one target a line (# comments, blank lines ignored) and
        writes one compact JSON report a line (--format jsonl) as each check finishes. With
        --shard I/N only the targets of shard I (0 ≤ I < N) are checked; a target's shard is a
        fixed hash of its lower-cased text, so N processes given the same list split it without
        overlap or gaps in any order and on any machine (Kubernetes Indexed Job, Slurm array
        --array=0-15 and I=$SLURM_ARRAY_TASK_ID, GNU parallel over `seq 0 15`). Politeness limits (--per-host)
        are per process. Progress goes to stderr when stderr is a terminal, or always with
        --progress; it never mixes into stdout.
        """
    )

    @Argument(help: "A domain, an e-mail address, or (with --host) a mail host name or address.")
    var target: String?

    @Option(name: .customLong("from-file"), help: "Check every target listed in this file (one a line, # comments); '-' reads stdin.")
    var fromFile: String?

    @Option(help: "With --from-file: at most this many targets checked at once.")
    var concurrency: Int = 4

    @Option(help: "With --from-file: check only shard I of N (I/N, 0-based), chosen by a stable hash of each target.")
    var shard: String?

    @Flag(help: "Show progress on stderr even when stderr is not a terminal.")
    var progress = false

    @Flag(help: "Treat TARGET as one mail host rather than a mail domain.")
    var host = false

    @Option(name: .customLong("resolver"), help: "A DNS server HOST[:PORT]; repeatable. Default: /etc/resolv.conf.")
    var resolvers: [String] = []

    @Option(help: "Overall deadline in seconds for the whole check.")
    var timeout: Double = 60

    @Option(help: "Focus the fault tree on a symptom: bounce, delay, client, spam or tls.")
    var symptom: String?

    @Option(help: "Output format: text, json, markdown, html or nagios.")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity (pass, info, notice, warning, error, critical).")
    var failOn: String = "error"

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust (certificates and MTA-STS).")
    var caFile: String?

    @Flag(name: .customLong("no-relay-test"), help: "Skip the open-relay test (MAIL FROM/RCPT TO with outside addresses; never DATA).")
    var noRelayTest = false

    @Option(name: .customLong("tls-scan"), help: """
        TLS on port 25: quick (default: one wave of hellos per port, enough for the grade and \
        the version, suite, group, feature and certificate findings; not the server's suite \
        order), full (every suite of every version in order, as `mxray tls` does) or off.
        """)
    var tlsScan: String = "quick"

    @Flag(name: .customLong("no-tls-scan"), help: "Same as --tls-scan off; STARTTLS is still probed.")
    var noTLSScan = false

    @Option(name: .customLong("per-host"), help: """
        At most this many connections to one address at a time, for the port probes and again for \
        the TLS hellos. The default, 16, lets the seven ports and the quick TLS assessment's one \
        wave of hellos (about 16) each run at once: every round trip to the host counts once, \
        not once per wave.
        """)
    var perHost: Int = 16

    @Option(name: .customLong("dkim-selector"), help: "A DKIM selector to look up besides the common ones; repeatable.")
    var dkimSelectors: [String] = []

    /// Forecasts (certificate expiry, latency trend) and the evidence ledger: `Commands/LedgerCommand.swift`.
    @OptionGroup var ledger: CheckLedgerOptions

    static let formats = ["text", "json", "markdown", "html", "nagios", "jsonl"]

    func validate() throws {
        switch (target, fromFile) {
        case (nil, nil): throw ValidationError("give a TARGET or --from-file FILE")
        case (.some, .some): throw ValidationError("give either a TARGET or --from-file, not both")
        case (let t?, nil):
            do { _ = try CheckTarget.parse(t, asHost: host) } catch { throw ValidationError(error.description) }
            guard format != "jsonl" else { throw ValidationError("--format jsonl goes with --from-file; use json for one target") }
        case (nil, let f?):
            guard f == "-" || FileManager.default.isReadableFile(atPath: f) else { throw ValidationError("--from-file '\(f)' is not readable") }
            guard format == "jsonl" else { throw ValidationError("--from-file writes one JSON line per target: add --format jsonl") }
        }
        if let shard {
            guard fromFile != nil else { throw ValidationError("--shard goes with --from-file") }
            guard BulkShard(parsing: shard) != nil else { throw ValidationError("--shard must be I/N with 0 ≤ I < N (e.g. 0/4), not '\(shard)'") }
        }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1…256") }
        for r in resolvers where DNSServerAddress(parsing: r) == nil {
            throw ValidationError("--resolver '\(r)' is not HOST[:PORT] with an IP address (e.g. 127.0.0.1, [::1]:53)")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        if let symptom, Symptom(rawValue: symptom) == nil {
            throw ValidationError("--symptom must be one of \(Symptom.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard Self.formats.contains(format) else { throw ValidationError("--format must be one of \(Self.formats.joined(separator: ", ")), not '\(format)'") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard TLSScanMode(rawValue: tlsScan) != nil else {
            throw ValidationError("--tls-scan must be one of \(TLSScanMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(tlsScan)'")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
        guard (1...64).contains(perHost) else { throw ValidationError("--per-host must be 1…64") }
    }

    func run() async throws {
        let engine = try makeEngine()
        if let fromFile { return try await runBulk(fromFile, engine: engine) }
        let checkTarget: CheckTarget
        do { checkTarget = try CheckTarget.parse(target ?? "", asHost: host) } catch { throw MXRayError.usage(error.description) }
        if format == "text", progress || isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("checking \(checkTarget.input) (timeout \(Int(timeout)) s)…\n".utf8))
        }
        let report = try ledger.apply(await engine.run(checkTarget))
        try output(report)
    }

    func makeEngine() throws -> CheckEngine {
        var settings = CheckWiring.Settings(resolver: try CheckWiring.resolverConfiguration(resolvers), caFile: caFile)
        settings.relayTest = !noRelayTest
        settings.tlsScan = !noTLSScan
        settings.tlsScanMode = TLSScanMode(rawValue: tlsScan) ?? .quick
        settings.perHost = perHost
        settings.options.timeout = .milliseconds(Int64(timeout * 1000))
        settings.options.symptom = symptom.flatMap(Symptom.init(rawValue:))
        settings.options.dkimSelectors = dkimSelectors
        do { return try CheckWiring.engine(settings) } catch let e as MXRayError { throw e } catch {
            throw MXRayError.couldNotRun("cannot set up TLS: \(error)")
        }
    }

    func output(_ report: Report) throws {
        let threshold = Severity(rawValue: failOn) ?? .error

        if format == "nagios" {
            let nagios = ReportNagiosRenderer()
            // No resolver answered: UNKNOWN, as the plugin guidelines ask for a check that could not run.
            if report.locate?.mxKind != .nxdomain, let reason = Self.couldNotRun(report) {
                print("MXRAY UNKNOWN - \(report.target.input): \(reason.replacingOccurrences(of: "|", with: "/"))")
                throw FindingsExit(ReportNagiosRenderer.Status.unknown.rawValue)
            }
            print(nagios.render(report, critical: threshold))
            let status = nagios.status(report, critical: threshold)
            if status != .ok { throw FindingsExit(status.rawValue) }
            return
        }
        if let reason = Self.couldNotRun(report) { throw MXRayError.couldNotRun(reason) }
        switch format {
        case "json": print(try JSONOutput.encode(report))
        case "markdown": print(ReportMarkdownRenderer().render(report), terminator: "")
        case "html": print(ReportHTMLRenderer().render(report), terminator: "")
        default:
            let color = ReportTextRenderer.wantsColor(environment: ProcessInfo.processInfo.environment, isTTY: isatty(STDOUT_FILENO) == 1)
            print(ReportTextRenderer(color: color).render(report))
        }
        if report.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }

    /// Exit 3 when nothing could be said: no DNS server answered the MX query, or the domain
    /// does not exist (as `mxray dns` does).
    static func couldNotRun(_ r: Report) -> String? {
        guard let l = r.locate else {
            if r.target.kind == .host, r.mxHosts.isEmpty { return "\(r.target.input) has no address (A/AAAA)" }
            return r.stages.first { $0.name == Stage.locate && $0.status == .couldNotTest }?.detail
        }
        switch l.mxKind {
        case .nxdomain:
            return "\(l.domain) does not exist (NXDOMAIN from \(l.resolvers.joined(separator: ", ")))"
        case .failed where l.traces.filter({ $0.question.type == .mx }).allSatisfy({ $0.rcode == nil }):
            return l.failure ?? "no DNS server answered"
        default:
            return nil
        }
    }
}

extension CheckCommand {
    /// `--from-file`: every target, at most `concurrency` at a time, one compact JSON report a
    /// line as each finishes (a target that does not parse becomes a line with an `error`).
    /// Exit 1 when any report has a finding at or above --fail-on.
    func runBulk(_ path: String, engine: CheckEngine) async throws {
        // Through a file handle, so /dev/null, FIFOs and process substitution (<(…)) work too.
        guard let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path) else {
            throw MXRayError.couldNotRun("cannot read \(path)")
        }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let all = text.split(whereSeparator: \.isNewline)
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let lines = shard.flatMap(BulkShard.init(parsing:)).map { $0.select(all) } ?? all
        let threshold = Severity(rawValue: failOn) ?? .error
        let asHost = host
        var failed = false
        var done = 0
        let tty = isatty(STDERR_FILENO) == 1
        let progress = self.progress || tty
        await withTaskGroup(of: (String, Report?, String?).self) { group in
            var pending = lines[...]
            func next() -> Bool {
                guard let input = pending.popFirst() else { return false }
                group.addTask {
                    let target: CheckTarget
                    do { target = try CheckTarget.parse(input, asHost: asHost) } catch { return (input, nil, "\(error)") }
                    return (input, await engine.run(target), nil)
                }
                return true
            }
            for _ in 0..<concurrency where next() {}
            for await (input, report, error) in group {
                if let report, let json = try? JSONOutput.encode(report, pretty: false) {
                    print(json)
                    if report.findings.contains(where: { $0.severity >= threshold }) { failed = true }
                } else {
                    print(#"{"error":"# + jsonString(error ?? "could not encode the report") + #","input":"# + jsonString(input) + "}")
                    failed = true
                }
                done += 1
                if progress {
                    let line = (tty ? "\r" : "") + "\(done)/\(lines.count) checked" + (tty ? "" : "\n")
                    FileHandle.standardError.write(Data(line.utf8))
                }
                _ = next()
            }
            if progress && tty { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        if failed { throw FindingsExit(1) }
    }

    func jsonString(_ s: String) -> String {
        (try? JSONOutput.encode(s, pretty: false)) ?? "\"\""
    }
}
