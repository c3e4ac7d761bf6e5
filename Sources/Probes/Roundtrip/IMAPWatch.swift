import Foundation
import MailWire
import NIOCore

/// A small IMAP session for the round trip (RFC 9051): login, find the folders to watch,
/// search a header token, fetch the header section, IDLE (RFC 2177). Every command has a
/// deadline; every line is in the connection's transcript (credentials redacted).
final class IMAPWatch {
    let connection: ProbeConnection
    var decoder: IMAPResponseDecoder
    var tags = IMAPTagGenerator()
    let deadlines: Deadlines
    let commandTimeout: TimeAmount
    private(set) var steps: [StepTiming] = []
    var capabilities = IMAPCapabilities(atoms: [])

    init(connection: ProbeConnection, limits: MailWireLimits, deadlines: Deadlines, commandTimeout: TimeAmount) {
        self.connection = connection
        self.decoder = IMAPResponseDecoder(limits: limits)
        self.deadlines = deadlines
        self.commandTimeout = commandTimeout
    }

    func record(_ s: StepTiming) { steps.append(s) }

    func read(deadline: NIODeadline) async throws(ProbeReadError) -> IMAPResponse {
        let r = try await connection.read(&decoder, deadline: deadline)
        var line = r.transcriptText
        if !r.literals.isEmpty { line += " (literals: \(r.literals.map { "\($0.count) octets" }.joined(separator: ", ")))" }
        connection.recordReceived([line])
        return r
    }

    /// Sends `line` (without tag) and collects untagged data until the tagged completion.
    func run(_ line: String, step: String, redactedAs: String? = nil, timeout: TimeAmount? = nil)
        async throws(ProbeReadError) -> (untagged: [IMAPResponse], completion: IMAPResponse)
    {
        let tag = tags.make()
        try WireCheck.line(line)
        let command = EncodedCommand(line: "\(tag) \(line)", redactedAs: redactedAs.map { "\(tag) \($0)" })
        let start = connection.milliseconds
        let deadline = deadlines.step(timeout ?? commandTimeout)
        try await connection.send(command)
        var untagged: [IMAPResponse] = []
        do throws(ProbeReadError) {
            while true {
                let r = try await read(deadline: deadline)
                if r.tag == tag {
                    steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: r.status?.rawValue ?? "?"))
                    return (untagged, r)
                }
                if r.kind == .continuation {
                    // Nothing we send expects one: cancel (RFC 9051 §6.2.2).
                    try await connection.send(EncodedCommand(line: "*"))
                    continue
                }
                untagged.append(r)
                if untagged.count > 10_000 { throw .decoding(.responseTooLarge(limit: 10_000)) }
            }
        } catch {
            steps.append(StepTiming(name: step, milliseconds: connection.milliseconds - start, result: error.description))
            throw error
        }
    }

    /// CAPABILITY (RFC 9051 §6.1.1).
    func refreshCapabilities() async throws(ProbeReadError) {
        let (untagged, done) = try await run("CAPABILITY", step: "CAPABILITY")
        capabilities = untagged.lazy.compactMap(IMAPCapabilities.init(response:)).first
            ?? IMAPCapabilities(response: done) ?? capabilities
    }

    /// AUTHENTICATE PLAIN with SASL-IR (RFC 4959) when offered, else LOGIN (RFC 9051 §6.2.3).
    func login(user: String, password: String) async throws(ProbeReadError) -> IMAPResponse {
        if capabilities.authMechanisms.contains("PLAIN"), capabilities.saslIR {
            let ir = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            return try await run("AUTHENTICATE PLAIN \(ir)", step: "AUTHENTICATE PLAIN", redactedAs: "AUTHENTICATE PLAIN <redacted>").completion
        }
        let line: String
        do {
            line = "LOGIN \(try IMAPCommand.quoted(user, "user name")) \(try IMAPCommand.quoted(password, "password"))"
        } catch { throw .encoding(error) }
        return try await run(line, step: "LOGIN", redactedAs: "LOGIN <redacted>").completion
    }

    /// LIST "" "*" (RFC 9051 §6.3.9): every mailbox name with its attributes.
    func list() async throws(ProbeReadError) -> [(name: String, attributes: [String])] {
        let (untagged, _) = try await run("LIST \"\" \"*\"", step: "LIST")
        return untagged.filter { $0.keyword == "LIST" }.compactMap(Self.parseList)
    }

    /// `LIST (\HasNoChildren \Junk) "." Junk` → ("Junk", ["\HASNOCHILDREN", "\JUNK"]).
    static func parseList(_ r: IMAPResponse) -> (name: String, attributes: [String])? {
        let text = r.text
        guard let open = text.firstIndex(of: "("), let close = text.firstIndex(of: ")"), open < close else { return nil }
        let attrs = text[text.index(after: open)..<close].split(separator: " ").map { $0.uppercased() }
        if let lit = r.literals.last { return (WireText.string(lit), attrs) }
        // After the attributes: the delimiter (quoted or NIL), then the name (quoted or atom).
        var rest = text[text.index(after: close)...].drop { $0 == " " }
        if rest.hasPrefix("\"") {
            rest = rest.dropFirst()
            if let q = rest.firstIndex(of: "\"") { rest = rest[rest.index(after: q)...] }
        } else {
            rest = rest.drop { $0 != " " }
        }
        var name = rest.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return name.isEmpty ? nil : (name, attrs)
    }

    /// EXAMINE (read-only SELECT, RFC 9051 §6.3.3).
    func examine(_ mailbox: String) async throws(ProbeReadError) -> Bool {
        let q: String
        do { q = try IMAPCommand.quoted(mailbox, "mailbox") } catch { throw .encoding(error) }
        return try await run("EXAMINE \(q)", step: "EXAMINE \(mailbox)").completion.status == .ok
    }

    /// UID SEARCH HEADER name value (RFC 9051 §6.4.4): the UIDs of matching messages.
    func searchHeader(_ name: String, _ value: String) async throws(ProbeReadError) -> [Int] {
        let (untagged, _) = try await run("UID SEARCH HEADER \(name) \"\(value)\"", step: "UID SEARCH")
        return untagged.filter { $0.keyword == "SEARCH" || $0.keyword == "ESEARCH" }
            .flatMap { $0.text.split(separator: " ").dropFirst().compactMap { Int($0) } }
    }

    /// UID FETCH uid (BODY.PEEK[HEADER]) (RFC 9051 §6.4.5): the header section, unread flag untouched.
    func fetchHeader(uid: Int) async throws(ProbeReadError) -> [UInt8] {
        let (untagged, _) = try await run("UID FETCH \(uid) (BODY.PEEK[HEADER])", step: "UID FETCH header")
        return untagged.first { $0.keyword == "FETCH" }?.literals.first ?? []
    }

    /// IDLE (RFC 2177) on the selected mailbox until an EXISTS arrives or `until` passes, then
    /// DONE. Returns true when the server announced new messages.
    func idle(until: NIODeadline) async throws(ProbeReadError) -> Bool {
        let tag = tags.make()
        let start = connection.milliseconds
        try await connection.send(EncodedCommand(line: "\(tag) IDLE"))
        let first = try await read(deadline: deadlines.step(commandTimeout))
        guard first.kind == .continuation else {
            steps.append(StepTiming(name: "IDLE", milliseconds: connection.milliseconds - start, result: first.status?.rawValue ?? "?"))
            return false
        }
        var announced = false
        let end = min(until, deadlines.overall)
        while !announced {
            do {
                let r = try await read(deadline: end)
                if r.keyword == "EXISTS" || r.keyword == "RECENT" { announced = true }
            } catch {
                if case .timeout(let n) = error, n == 0 { break }
                throw error
            }
        }
        // RFC 2177 §3: DONE ends IDLE; the server then completes the tagged command.
        try await connection.send(EncodedCommand(line: "DONE"))
        while true {
            let r = try await read(deadline: deadlines.step(commandTimeout))
            if r.tag == tag { break }
            if r.keyword == "EXISTS" { announced = true }
        }
        steps.append(StepTiming(name: "IDLE", milliseconds: connection.milliseconds - start, result: announced ? "new mail" : "quiet"))
        return announced
    }

    func logout() async {
        _ = try? await run("LOGOUT", step: "LOGOUT", timeout: .seconds(2))
    }
}

/// Checks on lines we build from our own parts, so a token or a folder name can never end a
/// command early.
enum WireCheck {
    static func line(_ line: String) throws(ProbeReadError) {
        do { try WireText.checkField(line, "IMAP command", maxLength: 16_384) } catch { throw .encoding(error) }
    }
}
