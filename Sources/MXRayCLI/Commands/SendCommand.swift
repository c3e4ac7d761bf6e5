import ArgumentParser
import Diagnosis
import Foundation
import MailCore
import MailWire
import Probes
import Reporting

/// `mxray send`: one SMTP transaction like swaks, timed, with filter tests as findings.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one message over SMTP like swaks, every step timed; test spam and virus filters.",
        discussion: """
        Runs connect, greeting, EHLO, STARTTLS (or implicit TLS), AUTH, MAIL, RCPT and DATA with a
        deadline on every step, PIPELINING when the server offers it (RFC 2920) and dot-stuffing
        (RFC 5321 §4.5.2). --quit-after stops politely after a stage. --tls defaults to implicit
        on port 465 and STARTTLS elsewhere; `--tls none` sends in clear (and AUTH in clear too).

        --auth USER logs in first; the password comes from MXRAY_PASSWORD or is asked for without
        echo, never from the command line, and is redacted in every transcript.

        --test gtube|eicar sends the standard GTUBE spam or EICAR anti-virus test string (built at
        run time) and reports what the gateway did as a finding: refused at the end of DATA
        (pass), accepted (use `mxray roundtrip --test` to see whether it was filed as junk or
        delivered). A refusal is the filter's verdict, not an error of mxray.

        Exit codes (swaks-compatible for the stages): 0 sent (or stopped as asked; with --test:
        no finding at or above --fail-on), 1 with --test: a finding at or above --fail-on,
        2 usage error, 3 could not connect or the connection failed, 21 greeting refused or
        missing, 22 EHLO/HELO refused, 23 MAIL refused, 24 no recipient accepted, 25 DATA
        refused, 26 message refused after DATA, 28 AUTH failed, 29 TLS failed (STARTTLS missing
        or refused, handshake failed).

        Examples:
          mxray send --via mx1.example.org:25 --from a@example.net --to postmaster@example.org
          MXRAY_PASSWORD=… mxray send --via mail.example.org:587 --auth alice@example.org \\
              --from alice@example.org --to bob@example.net --header 'Subject: hello' --body 'Hi'
          mxray send --via 192.0.2.25 --from a@example.net --to b@example.org --test eicar
          mxray send --via mx1.example.org --from a@example.net --to b@example.org --quit-after rcpt --transcript
        """
    )

    @Option(help: "The server: HOST[:PORT] (port 25 by default).")
    var via: String

    @Option(help: "starttls, implicit or none (default: implicit on 465, starttls elsewhere).")
    var tls: String?

    @Option(help: "Log in as this user (SMTP AUTH, RFC 4954); password from MXRAY_PASSWORD or a prompt.")
    var auth: String?

    @Option(help: "Force a SASL mechanism: SCRAM-SHA-256, CRAM-MD5, PLAIN or LOGIN.")
    var mech: String?

    @Option(help: "Envelope sender (MAIL FROM); '' for the null path.")
    var from: String

    @Option(help: "Envelope recipient (RCPT TO); repeat for several.")
    var to: [String]

    @Option(help: "An extra header 'Name: value'; repeat for several.")
    var header: [String] = []

    @Option(help: "The body text (default: a line naming mxray).")
    var body: String?

    @Option(help: "Send this file as the whole message (headers and body) instead of building one.")
    var data: String?

    @Option(help: "Send a filter test string: gtube or eicar.")
    var test: String?

    @Option(name: .customLong("quit-after"), help: "Stop after connect, banner, ehlo, starttls, auth, mail or rcpt.")
    var quitAfter: String?

    @Option(help: "EHLO name.")
    var helo = "mxray.invalid"

    @Flag(name: .customLong("no-pipelining"), help: "Do not pipeline even when the server offers PIPELINING.")
    var noPipelining = false

    @Flag(help: "Show the session transcript (credentials redacted, message body not shown).")
    var transcript = false

    @Option(help: "Output format: text or json.")
    var format = "text"

    @Option(name: .customLong("fail-on"), help: "With --test: exit 1 when a finding is at or above this severity.")
    var failOn = "warning"

    @Option(help: "Overall deadline in seconds.")
    var timeout: Double = 180

    @Option(name: .customLong("resolver"), help: "Resolve HOST with this DNS server HOST[:PORT] instead of the system resolver.")
    var resolver: String?

    @Option(name: .customLong("ca-file"), help: "A PEM file of extra CA certificates to trust.")
    var caFile: String?

    @Option(name: .customLong("host-name"), help: "The server's name for TLS SNI and certificate checks when --via holds an address.")
    var hostName: String?

    func validate() throws {
        let endpoint = try FlowEndpoint(via, defaultPort: 25)
        if let tls, SendTLSMode(rawValue: tls) == nil { throw ValidationError("--tls must be starttls, implicit or none") }
        _ = endpoint
        if let mech, SASLMechanism(rawValue: mech.uppercased()) == nil {
            throw ValidationError("--mech must be one of \(SASLMechanism.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let test, FilterTestString(rawValue: test) == nil { throw ValidationError("--test must be gtube or eicar") }
        if let quitAfter {
            guard let s = SendStage(rawValue: quitAfter), s != .data else {
                throw ValidationError("--quit-after must be connect, banner, ehlo, starttls, auth, mail or rcpt")
            }
        }
        if data != nil && (body != nil || test != nil || !header.isEmpty) {
            throw ValidationError("--data sends a whole message: do not combine it with --body, --header or --test")
        }
        if let data, !FileManager.default.isReadableFile(atPath: data) { throw ValidationError("--data '\(data)' is not readable") }
        guard !to.isEmpty else { throw ValidationError("give at least one --to") }
        for a in [from] + to {
            do { _ = try SMTPCommand.mailFrom(a).encoded() } catch { throw ValidationError("address '\(a)': \(error)") }
        }
        for h in header {
            do { _ = try MessageText.checkHeader(h) } catch { throw ValidationError(error.description) }
        }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file '\(caFile)' is not readable") }
    }

    func run() async throws {
        let endpoint = try FlowEndpoint(via, defaultPort: 25)
        let target = try await HostResolution.targets(for: endpoint.host, resolver: resolver)[0]
        let filter = test.flatMap(FilterTestString.init(rawValue:))
        let token = RoundtripProbe.makeToken()
        let message: [UInt8]
        if let data {
            guard let bytes = FileManager.default.contents(atPath: data) else { throw MXRayError.usage("cannot read --data '\(data)'") }
            message = Array(bytes)
        } else if let filter {
            message = filter.message(from: from, to: to, token: token)
        } else {
            let extra = try header.map { h throws -> (String, String) in
                do { return try MessageText.checkHeader(h) } catch { throw MXRayError.usage("\(error)") }
            }
            let subject = extra.first { $0.0.lowercased() == "subject" }?.1 ?? "mxray test \(token)"
            message = MessageText.build(from: from, to: to, subject: subject,
                                        extraHeaders: extra.filter { $0.0.lowercased() != "subject" } + [("X-MXRay-Token", token)],
                                        body: body ?? "A test message sent by mxray send.\r\n")
        }
        let mode = tls.flatMap(SendTLSMode.init(rawValue:)) ?? (endpoint.port == 465 ? .implicit : .starttls)
        var request = SendRequest(address: target.address, port: endpoint.port, host: hostName ?? target.host, tls: mode,
                                  from: from, to: to, message: message)
        request.quitAfter = quitAfter.flatMap(SendStage.init(rawValue:))
        request.pipelining = !noPipelining
        request.heloName = helo
        request.mechanism = mech.flatMap { SASLMechanism(rawValue: $0.uppercased()) }
        if let auth {
            request.user = auth
            request.password = try LoginCommand.password()
        }
        let settings: ProbeTLSSettings
        do { settings = try ProbeTLSSettings(extraCAFile: caFile) } catch { throw MXRayError.couldNotRun("cannot set up TLS: \(error)") }
        var timeouts = SendTimeouts()
        timeouts.overall = .milliseconds(Int64(timeout * 1000))
        let result = await SMTPSender(tlsSettings: settings, timeouts: timeouts).send(request)
        let summary = SendSummary(result)
        let analysis = filter.flatMap { FilterTest(rawValue: $0.rawValue) }.map { FlowAnalysis.filterTest($0, send: summary) }
        switch format {
        case "json": print(try JSONOutput.encode(SendOutput(send: summary, findings: analysis?.findings ?? [], verdict: analysis?.verdict)))
        default: print(FlowTextRenderer(showTranscript: transcript).render(send: summary, analysis: analysis))
        }
        if let analysis, analysis.verdict != .notTested {
            let threshold = Severity(rawValue: failOn) ?? .warning
            if analysis.findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
            return
        }
        let code = Self.exitCode(result)
        if code != 0 { throw FindingsExit(code) }
    }

    /// The exit code of a transaction (swaks's numbers for the stages).
    static func exitCode(_ r: SendResult) -> Int32 {
        switch r.ending {
        case .accepted, .stoppedAsAsked: return 0
        case .refused, .failed:
            switch r.failedStage {
            case .connect?, nil: return 3
            case .banner?: return 21
            case .ehlo?: return 22
            case .mail?: return 23
            case .rcpt?: return 24
            case .data?: return r.dataReply == nil ? 25 : 26
            case .auth?: return 28
            case .starttls?: return 29
            }
        }
    }
}

/// JSON shape of `mxray send --format json`.
struct SendOutput: Encodable {
    let send: SendSummary
    let findings: [Finding]
    let verdict: FilterVerdict?
}

/// `HOST[:PORT]` or `[v6]:PORT`.
struct FlowEndpoint {
    let host: String
    let port: Int

    init(_ text: String, defaultPort: Int) throws {
        var h = text
        var p = defaultPort
        if h.hasPrefix("[") {
            guard let close = h.firstIndex(of: "]") else { throw ValidationError("unclosed '[' in '\(text)'") }
            let after = h[h.index(after: close)...]
            if after.hasPrefix(":") {
                guard let n = Int(after.dropFirst()), (1...65535).contains(n) else { throw ValidationError("bad port in '\(text)'") }
                p = n
            }
            h = String(h[h.index(after: h.startIndex)..<close])
        } else if let colon = h.lastIndex(of: ":"), h.filter({ $0 == ":" }).count == 1 {
            guard let n = Int(h[h.index(after: colon)...]), (1...65535).contains(n) else { throw ValidationError("bad port in '\(text)'") }
            p = n
            h = String(h[..<colon])
        }
        guard !h.isEmpty, h.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw ValidationError("'\(text)' is not HOST[:PORT]") }
        host = h
        port = p
    }
}

extension SendSummary {
    /// The probe's result as the analysis and renderers see it.
    init(_ r: SendResult) {
        self.init(target: r.target, ending: r.ending.rawValue, failedStage: r.failedStage?.rawValue, failedReply: r.failedReply,
                  failure: r.failure, lastStage: r.lastStage?.rawValue, pipelined: r.pipelined,
                  pipeliningOffered: r.capabilities?.pipelining ?? false, tls: r.tls, authMechanism: r.authMechanism,
                  acceptedRecipients: r.acceptedRecipients, refusedRecipients: r.refusedRecipients.map(\.recipient),
                  dataReply: r.dataReply, queueID: r.queueID, acceptedAtMilliseconds: r.acceptedAtMilliseconds,
                  messageOctets: r.messageOctets, steps: r.steps, transcript: r.transcript)
    }
}
