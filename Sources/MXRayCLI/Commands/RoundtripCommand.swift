import ArgumentParser
import Diagnosis
import Foundation
import MailCore
import MailWire
import NIOCore
import Probes
import Reporting

/// `mxray roundtrip`: submit a message with a unique token and watch IMAP until it arrives.
struct RoundtripCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip",
        abstract: "Send a message through submission and time its arrival over IMAP (inbox or junk).",
        discussion: """
        Logs in to IMAP first, then submits a message carrying a unique token (X-MXRay-Token and
        the Subject) through submission (587 with STARTTLS and AUTH by default), then searches
        INBOX and every junk folder (RFC 6154 \\Junk, or named Junk/Spam/Quarantine) for it, with
        IMAP IDLE on INBOX between searches when offered (RFC 2177), until it shows up or
        --timeout passes. Reports the end-to-end delay, the submission time, the time after
        acceptance, the folder, the delivered copy's Received chain and the receiving side's
        Authentication-Results, as findings.

        --test gtube|eicar sends the filter test string instead and reports what the filter did:
        refused at DATA, filed as junk, or delivered to the inbox.

        The same user logs in to both servers; the password comes from MXRAY_PASSWORD or a
        prompt, never the command line, and is redacted in transcripts. Every step has a deadline.

        Exit codes: 0 no finding at or above --fail-on (default error), 1 findings at or above
        it (not accepted, not arrived, a delivered EICAR …), 2 usage error, 3 the mailbox could
        not be watched (IMAP connect, TLS or login failed).

        Examples:
          MXRAY_PASSWORD=… mxray roundtrip --submission mail.example.org --user alice@example.org
          mxray roundtrip --submission 192.0.2.10:587 --imap 192.0.2.11:993 --user alice@example.org --to alice@example.org
          mxray roundtrip --submission mail.example.org --user alice@example.org --test gtube --transcript
        """
    )

    @Option(help: "Submission server HOST[:PORT] (587 by default).")
    var submission: String

    @Option(help: "IMAP server HOST[:PORT] (the submission host, port 143, by default).")
    var imap: String?

    @Option(name: .customLong("submission-tls"), help: "starttls, implicit or none (default: implicit on 465, else starttls).")
    var submissionTLS: String?

    @Option(name: .customLong("imap-tls"), help: "starttls, implicit or none (default: implicit on 993, else starttls).")
    var imapTLS: String?

    @Option(help: "The user for AUTH and IMAP login.")
    var user: String

    @Option(help: "Envelope and header sender (default: the user).")
    var from: String?

    @Option(help: "Recipient whose mailbox is watched (default: the user).")
    var to: String?

    @Option(help: "Send a filter test string: gtube or eicar.")
    var test: String?

    @Option(help: "Seconds to wait for the message after submission accepted it.")
    var timeout: Double = 60

    @Option(help: "Seconds between searches of the folders (IDLE watches INBOX meanwhile).")
    var poll: Double = 1

    @Option(help: "A round trip slower than this many seconds is a finding.")
    var slow: Double = FlowAnalysis.slowRoundtripSeconds

    @Flag(help: "Show both transcripts (credentials redacted).")
    var transcript = false

    @Option(help: "Output format: text or json.")
    var format = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity.")
    var failOn = "error"

    @Option(name: .customLong("resolver"), help: "Resolve host names with this DNS server HOST[:PORT].")
    var resolver: String?

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust.")
    var caFile: String?

    @Option(name: .customLong("host-name"), help: "The servers' name for TLS SNI and certificate checks when addresses are given.")
    var hostName: String?

    func validate() throws {
        _ = try FlowEndpoint(submission, defaultPort: 587)
        if let imap { _ = try FlowEndpoint(imap, defaultPort: 143) }
        for t in [submissionTLS, imapTLS].compactMap({ $0 }) where SendTLSMode(rawValue: t) == nil {
            throw ValidationError("TLS modes are starttls, implicit or none, not '\(t)'")
        }
        if let test, FilterTestString(rawValue: test) == nil { throw ValidationError("--test must be gtube or eicar") }
        for a in [user, from ?? user, to ?? user] {
            do { _ = try SMTPCommand.rcptTo(a).encoded() } catch { throw ValidationError("address '\(a)': \(error)") }
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        guard poll >= 0.1, poll <= 60 else { throw ValidationError("--poll must be between 0.1 and 60 seconds") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
    }

    func run() async throws {
        let sub = try FlowEndpoint(submission, defaultPort: 587)
        let box = try imap.map { try FlowEndpoint($0, defaultPort: 143) } ?? FlowEndpoint(sub.host, defaultPort: 143)
        let subTarget = try await HostResolution.targets(for: sub.host, resolver: resolver)[0]
        let boxTarget = try await HostResolution.targets(for: box.host, resolver: resolver)[0]
        let password = try LoginCommand.password()
        var request = RoundtripRequest(submissionAddress: subTarget.address, imapAddress: boxTarget.address,
                                       host: hostName ?? subTarget.host, user: user, password: password,
                                       from: from ?? user, to: to ?? user)
        request.submissionPort = sub.port
        request.imapPort = box.port
        request.submissionTLS = submissionTLS.flatMap(SendTLSMode.init(rawValue:)) ?? (sub.port == 465 ? .implicit : .starttls)
        request.imapTLS = imapTLS.flatMap(SendTLSMode.init(rawValue:)) ?? (box.port == 993 ? .implicit : .starttls)
        request.test = test.flatMap(FilterTestString.init(rawValue:))
        request.arrivalTimeout = .milliseconds(Int64(timeout * 1000))
        request.pollInterval = .milliseconds(Int64(poll * 1000))
        let settings: ProbeTLSSettings
        do { settings = try ProbeTLSSettings(extraCAFile: caFile) } catch { throw MXRayError.couldNotRun("cannot set up TLS: \(error)") }
        let result = await RoundtripProbe(tlsSettings: settings).run(request)
        let summary = RoundtripSummary(result, imapTarget: "imap://\(hostName ?? boxTarget.host ?? boxTarget.address):\(box.port)",
                                       arrivalTimeoutSeconds: timeout)
        var analysis: FlowAnalysis.Result
        if let t = request.test.flatMap({ FilterTest(rawValue: $0.rawValue) }), let send = summary.submission, result.status != .imapFailed {
            analysis = FlowAnalysis.filterTest(t, send: send, roundtrip: summary)
        } else {
            analysis = FlowAnalysis.roundtrip(summary, slowSeconds: slow)
        }
        switch format {
        case "json": print(try JSONOutput.encode(RoundtripOutput(roundtrip: summary, findings: analysis.findings, verdict: analysis.verdict)))
        default: print(FlowTextRenderer(showTranscript: transcript).render(roundtrip: summary, analysis: analysis))
        }
        if result.status == .imapFailed { throw FindingsExit(3) }
        let threshold = Severity(rawValue: failOn) ?? .error
        if analysis.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }
}

/// JSON shape of `mxray roundtrip --format json`.
struct RoundtripOutput: Encodable {
    let roundtrip: RoundtripSummary
    let findings: [Finding]
    let verdict: FilterVerdict?
}

extension RoundtripSummary {
    /// The probe's result as the analysis and renderers see it.
    init(_ r: RoundtripResult, imapTarget: String, arrivalTimeoutSeconds: Double) {
        self.init(status: r.status.rawValue, token: r.token, submission: r.send.map(SendSummary.init), imapTarget: imapTarget,
                  folder: r.folder, folderIsJunk: r.folderIsJunk, usedIDLE: r.usedIDLE,
                  submissionMilliseconds: r.submissionMilliseconds, endToEndMilliseconds: r.endToEndMilliseconds,
                  afterAcceptanceMilliseconds: r.afterAcceptanceMilliseconds, pollIntervalMilliseconds: r.pollIntervalMilliseconds,
                  arrivalTimeoutSeconds: arrivalTimeoutSeconds, headerSection: r.headerSection, imapFailure: r.imapFailure,
                  imapSteps: r.imapSteps, imapTranscript: r.imapTranscript)
    }
}
