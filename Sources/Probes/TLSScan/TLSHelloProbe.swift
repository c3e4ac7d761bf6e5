import MailCore
import MailWire
import NIOCore
import TLSWire

/// What one hand-built ClientHello got back.
enum HelloOutcome: Sendable {
    case flight(ServerFlight)
    /// A fatal alert: the offer was refused.
    case alert(TLSAlert)
    /// Closed without a word: most servers refuse an offer they cannot serve like this.
    case closed
    /// The server answered something that is not TLS, or broke the record layer.
    case malformed(String)
    /// Connect failed, STARTTLS refused, 421, timeout: the probe says nothing about TLS.
    case couldNotTest(String)
    /// The port does not offer STARTTLS at all.
    case noStartTLS(String)

    var serverHello: ServerHello? {
        if case .flight(let f) = self { return f.serverHello }
        return nil
    }
}

/// Opens one connection, runs the STARTTLS preamble, sends one ClientHello and reads the
/// answer before the deadline. Reuses the probes' connection and SMTP/IMAP/POP3 clients.
struct TLSHelloProbe {
    let options: TLSScanOptions
    let group: any EventLoopGroup
    let deadlines: Deadlines

    func send(_ hello: ClientHello, fullFlight: Bool = false) async -> HelloOutcome {
        guard !deadlines.exceeded else { return .couldNotTest("scan deadline passed") }
        return await exchange(hello, on: await openAndPrepare(), fullFlight: fullFlight)
    }

    /// Sends `hello` on a connection prepared by `openAndPrepare` (perhaps primed earlier by
    /// `TLSPrimedPool`) and reads the answer before its own step deadline; aborts the connection.
    func exchange(_ hello: ClientHello, on connection: Result<ProbeConnection, PreambleError>, fullFlight: Bool) async -> HelloOutcome {
        let c: ProbeConnection
        switch connection {
        case .failure(.noStartTLS(let why)): return .noStartTLS(why)
        case .failure(.couldNotTest(let why)): return .couldNotTest(why)
        case .success(let conn): c = conn
        }
        defer { c.abort() }
        do {
            try await c.sendRaw(hello.encodeRecord(), transcriptText: "ClientHello")
        } catch {
            return .couldNotTest("write failed: \(error.description)")
        }
        var decoder = TLSRecordDecoder()
        var flight = ServerFlight(wantFullFlight: fullFlight)
        let deadline = deadlines.step(options.stepTimeout)
        while !flight.isDone {
            do {
                let record = try await c.read(&decoder, deadline: deadline)
                flight.feed(record)
            } catch {
                switch error {
                case .closedByPeer:
                    if flight.serverHello != nil { return .flight(flight) }
                    return .closed
                case .timeout:
                    if flight.serverHello != nil { return .flight(flight) }
                    return .couldNotTest("no answer to the ClientHello before the deadline")
                case .decoding, .channel:
                    if let wire = Self.wireError(error) { return .malformed(wire) }
                    return flight.serverHello != nil ? .flight(flight) : .closed
                default:
                    return .malformed(error.description)
                }
            }
        }
        switch flight.state {
        case .alert(let a): return flight.serverHello != nil ? .flight(flight) : .alert(a)
        case .failed(let e): return flight.serverHello != nil ? .flight(flight) : .malformed(e.description)
        default: return .flight(flight)
        }
    }

    static func wireError(_ e: ProbeReadError) -> String? {
        if case .channel(let text) = e, text.contains("not a TLS record") || text.contains("octets exceeds") { return text }
        return nil
    }

    enum PreambleError: Error { case noStartTLS(String), couldNotTest(String) }

    /// Connects and, for STARTTLS ports, talks up to the point where the handshake starts.
    /// `onConnect` learns of the socket before the preamble starts (the pool aborts it if the
    /// scan ends meanwhile).
    func openAndPrepare(onConnect: @Sendable (TLSPrimedPool.Handover) async -> Void = { _ in }) async -> Result<ProbeConnection, PreambleError> {
        let (conn, obs, _) = await ProbeConnection.connect(
            address: options.address, port: options.port, group: group,
            timeout: options.connectTimeout, label: "tls \(options.address):\(options.port)")
        guard let c = conn else { return .failure(.couldNotTest("connect \(obs.state.rawValue)")) }
        await onConnect(.init(prepared: .success(c)))
        guard let proto = options.starttls else { return .success(c) }
        do {
            switch proto {
            case .smtp: try await smtpPreamble(c)
            case .imap: try await imapPreamble(c)
            case .pop3: try await pop3Preamble(c)
            }
            return .success(c)
        } catch let e as PreambleError {
            c.abort()
            return .failure(e)
        } catch {
            c.abort()
            return .failure(.couldNotTest("\(error)"))
        }
    }

    /// RFC 3207 §4: EHLO, STARTTLS advertised, `STARTTLS` answered 220. A 421 greeting
    /// (RFC 5321 §3.8) or a 4xx to STARTTLS is "could not test", not "no TLS".
    private func smtpPreamble(_ c: ProbeConnection) async throws {
        let client = SMTPClient(connection: c, limits: .default, deadlines: deadlines, commandTimeout: options.stepTimeout)
        let greeting = try await wrap { () async throws(ProbeReadError) in try await client.readReply(step: "greeting") }
        guard greeting.code == 220 else { throw PreambleError.couldNotTest("greeting \(greeting.code)") }
        let ehlo = try await wrap { () async throws(ProbeReadError) in try await client.send(.ehlo(options.heloName)) }
        guard ehlo.code == 250 else { throw PreambleError.couldNotTest("EHLO answered \(ehlo.code)") }
        guard SMTPCapabilities(ehloReply: ehlo).startTLS else { throw PreambleError.noStartTLS("STARTTLS not advertised") }
        let st = try await wrap { () async throws(ProbeReadError) in try await client.send(.startTLS) }
        if st.code == 220 { return }
        if (400..<500).contains(st.code) { throw PreambleError.couldNotTest("STARTTLS answered \(st.code)") }
        throw PreambleError.noStartTLS("STARTTLS answered \(st.code)")
    }

    /// RFC 9051 §6.2.1 / RFC 2595 §3.1: `a STARTTLS` → tagged OK.
    private func imapPreamble(_ c: ProbeConnection) async throws {
        let client = IMAPClient(connection: c, limits: .default, deadlines: deadlines, commandTimeout: options.stepTimeout)
        let greeting = try await wrap { () async throws(ProbeReadError) in try await client.readGreeting(timeout: options.stepTimeout) }
        // RFC 9051 §7.1.5: a BYE greeting closes the connection (a server at its limit says so).
        guard greeting.status == .ok else {
            throw PreambleError.couldNotTest("greeting \(greeting.status?.rawValue ?? "untagged"): \(greeting.statusText)")
        }
        let r = try await wrap { () async throws(ProbeReadError) in try await client.run(.startTLS, step: "STARTTLS") }
        guard r.completion.status == .ok else { throw PreambleError.noStartTLS("STARTTLS answered \(r.completion.statusText)") }
    }

    /// RFC 2595 §4: `STLS` → +OK.
    private func pop3Preamble(_ c: ProbeConnection) async throws {
        let client = POP3Client(connection: c, limits: .default, deadlines: deadlines, commandTimeout: options.stepTimeout)
        let greeting = try await wrap { () async throws(ProbeReadError) in try await client.readResponse(step: "greeting") }
        guard greeting.status == .ok else { throw PreambleError.couldNotTest("greeting -ERR") }
        let r = try await wrap { () async throws(ProbeReadError) in try await client.send(.stls) }
        guard r.status == .ok else { throw PreambleError.noStartTLS("STLS answered -ERR") }
    }

    private func wrap<T>(_ body: () async throws(ProbeReadError) -> T) async throws -> T {
        do { return try await body() } catch { throw PreambleError.couldNotTest(error.description) }
    }
}
