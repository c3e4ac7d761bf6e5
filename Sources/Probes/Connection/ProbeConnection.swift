import Foundation
import MailCore
import MailWire
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to a mail server, used by one task: connect with a classified outcome,
/// bounded reads under deadlines through the MailWire decoders, writes, a TLS upgrade, and a
/// timed transcript of everything (secrets redacted, TLS boundaries marked).
public final class ProbeConnection {
    let channel: any Channel
    let inbox: InboxHandler
    let stopwatch: Stopwatch
    public private(set) var transcript: Transcript
    /// Generation of the inbox last seen by a reader.
    private var seenGeneration = 0
    public internal(set) var tls: TLSObservation?

    init(channel: any Channel, inbox: InboxHandler, stopwatch: Stopwatch, transcript: Transcript) {
        self.channel = channel
        self.inbox = inbox
        self.stopwatch = stopwatch
        self.transcript = transcript
    }

    public var milliseconds: Double { stopwatch.milliseconds }
    public var isTLS: Bool { tls?.error == nil && tls?.version != nil }

    /// Connects and classifies the result (open, refused, filtered, unreachable).
    ///
    /// - Returns: the connection when open, and the connect observation in every case.
    public static func connect(
        address: String, port: Int, group: any EventLoopGroup, timeout: TimeAmount, label: String,
        stopwatch: Stopwatch = Stopwatch()
    ) async -> (ProbeConnection?, ConnectObservation, Transcript) {
        var transcript = Transcript(label: label)
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(ipAddress: address, port: port)
        } catch {
            let obs = ConnectObservation(state: .error, milliseconds: 0, detail: "not an IP address: \(address)")
            transcript.append(.event, "invalid address \(address)", at: stopwatch.milliseconds)
            return (nil, obs, transcript)
        }
        transcript.append(.event, "connect \(socketAddress.description)", at: stopwatch.milliseconds)
        let inbox = InboxHandler()
        let start = stopwatch.milliseconds
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(inbox)
                    }
                }
                .connect(to: socketAddress).get()
            let ms = stopwatch.milliseconds - start
            transcript.append(.event, String(format: "connected in %.1f ms", ms), at: stopwatch.milliseconds)
            let c = ProbeConnection(channel: channel, inbox: inbox, stopwatch: stopwatch, transcript: transcript)
            return (c, ConnectObservation(state: .open, milliseconds: ms), transcript)
        } catch {
            let ms = stopwatch.milliseconds - start
            let obs = classify(error, milliseconds: ms)
            transcript.append(.event, "connect \(obs.state.rawValue): \(obs.detail ?? "")", at: stopwatch.milliseconds)
            return (nil, obs, transcript)
        }
    }

    /// Maps a connect error to a state: ECONNREFUSED is a reset (refused), a timeout means the
    /// SYN went unanswered (filtered), EHOSTUNREACH/ENETUNREACH an ICMP error or no route.
    static func classify(_ error: any Error, milliseconds: Double) -> ConnectObservation {
        if let e = error as? ChannelError, case .connectTimeout = e {
            return ConnectObservation(state: .filtered, milliseconds: milliseconds, detail: "no answer before the connect deadline")
        }
        if let e = error as? NIOConnectionError {
            if e.dnsAAAAError != nil || e.dnsAError != nil { return ConnectObservation(state: .error, milliseconds: milliseconds, detail: "\(e)") }
            if let first = e.connectionErrors.first { return classify(first.error, milliseconds: milliseconds) }
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return ConnectObservation(state: .refused, milliseconds: milliseconds, detail: "connection refused (reset)")
            case ETIMEDOUT: return ConnectObservation(state: .filtered, milliseconds: milliseconds, detail: "connect timed out")
            case EHOSTUNREACH, ENETUNREACH, EHOSTDOWN, ENETDOWN:
                return ConnectObservation(state: .unreachable, milliseconds: milliseconds, detail: e.description)
            default: return ConnectObservation(state: .error, milliseconds: milliseconds, detail: e.description)
            }
        }
        return ConnectObservation(state: .error, milliseconds: milliseconds, detail: "\(error)")
    }

    // MARK: - Transcript

    public func note(_ text: String) {
        transcript.append(.event, text, at: stopwatch.milliseconds)
    }

    func recordReceived(_ lines: [String]) {
        let now = stopwatch.milliseconds
        for l in lines { transcript.append(.received, l, at: now) }
    }

    // MARK: - Writing

    /// Writes one encoded command and records it (redacted when it carries a secret).
    public func send(_ command: EncodedCommand) async throws(ProbeReadError) {
        try await sendRaw(command.bytes, transcriptText: command.transcriptText, redacted: command.redacted)
    }

    /// Writes bytes as given (used to pipeline commands, e.g. the STARTTLS-injection test).
    public func sendRaw(_ bytes: [UInt8], transcriptText: String, redacted: Bool = false) async throws(ProbeReadError) {
        if redacted {
            let prefix = transcriptText == "<redacted>" ? "" : transcriptText.replacingSuffix(" <redacted>")
            transcript.recordRedacted(.sent, visiblePrefix: prefix, at: stopwatch.milliseconds)
        } else {
            transcript.append(.sent, transcriptText, at: stopwatch.milliseconds)
        }
        // The write is not awaited: a TLS handler mid-handshake holds writes until the handshake
        // ends, which may be never. Failures surface through the next read (inbox error or EOF),
        // and every read has a deadline.
        let failed = inbox.state.withLockedValue { $0.error != nil || $0.eof }
        if failed { throw .closedByPeer(bufferedBytes: 0) }
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        ackPromptly()
    }

    /// Acknowledges what the peer sends next at once instead of after the delayed-ACK timer
    /// (Linux `TCP_QUICKACK`; up to 40 ms there, RFC 1122 §4.2.3.2 allows 500 ms). Why it
    /// matters: a server with Nagle's algorithm on (RFC 896; RFC 1122 §4.2.3.4) holds a small
    /// write until its previous small write is acknowledged. After a TLS 1.3 handshake the
    /// server writes its NewSessionTicket (RFC 8446 §4.6.1) and then its reply (Postfix's
    /// post-STARTTLS EHLO reply, an implicit-TLS greeting): the reply waits for our ACK of the
    /// ticket, and a delayed ACK made each such step one round trip plus 40 ms. The flag is not
    /// sticky (the kernel returns to delayed ACKs when the exchange looks interactive), so it is
    /// set again after every write and after each handshake. It is queued on the event loop
    /// behind the write, so it takes effect after the bytes went out.
    func ackPromptly() {
        #if os(Linux)
        let quickAck = ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK)))
        channel.setOption(quickAck, value: 1).whenFailure { _ in }  // a closed channel: nothing to acknowledge
        #endif
    }

    // MARK: - Reading

    /// Reads one message with `decoder` before `deadline`. The decoder keeps its state across
    /// calls, so a POP3 decoder told to expect a multi-line reply sees it here.
    public func read<D: NIOSingleStepByteToMessageDecoder>(
        _ decoder: inout D, deadline: NIODeadline
    ) async throws(ProbeReadError) -> D.InboundOut {
        while true {
            let step = inbox.state.withLockedValue { s -> Result<(D.InboundOut?, Int, Bool, Int), ProbeReadError> in
                do {
                    if let m = try decoder.decode(buffer: &s.buffer) { return .success((m, s.generation, false, 0)) }
                    if s.overflow { return .failure(.overflow) }
                    if s.eof || s.error != nil {
                        if let m = try decoder.decodeLast(buffer: &s.buffer, seenEOF: true) {
                            return .success((m, s.generation, false, 0))
                        }
                        if let e = s.error { return .failure(Self.describe(e)) }
                        return .failure(.closedByPeer(bufferedBytes: s.buffer.readableBytes))
                    }
                    return .success((nil, s.generation, false, s.buffer.readableBytes))
                } catch let e as MailWireDecodingError {
                    if case .truncated(let n) = e { return .failure(.closedByPeer(bufferedBytes: n)) }
                    return .failure(.decoding(e))
                } catch {
                    return .failure(.channel("\(error)"))
                }
            }
            switch step {
            case .failure(let e):
                note("read failed: \(e.description)")
                throw e
            case .success((let message?, let generation, _, _)):
                seenGeneration = generation
                return message
            case .success((nil, let generation, _, let buffered)):
                // A cancelled task stops waiting at once (`InboxHandler.wait` returns): treat it
                // as its deadline, or this loop would spin until the deadline.
                if deadline <= .now() || Task.isCancelled {
                    note(Task.isCancelled ? "read cancelled" : "read deadline passed")
                    throw .timeout(partialBytes: buffered)
                }
                await inbox.wait(after: generation, deadline: deadline, eventLoop: channel.eventLoop)
            }
        }
    }

    /// Bytes buffered but not yet decoded (e.g. a plaintext answer pipelined after STARTTLS).
    public func takeBuffered() -> [UInt8] {
        inbox.state.withLockedValue { s in s.buffer.readBytes(length: s.buffer.readableBytes) ?? [] }
    }

    /// Waits up to `deadline` for any bytes at all; returns them (possibly empty) without decoding.
    public func waitForUnsolicited(deadline: NIODeadline) async -> [UInt8] {
        while deadline > .now() && !Task.isCancelled {
            let (count, generation, closed) = inbox.state.withLockedValue { ($0.buffer.readableBytes, $0.generation, $0.eof || $0.error != nil) }
            if count > 0 || closed { break }
            await inbox.wait(after: generation, deadline: deadline, eventLoop: channel.eventLoop)
        }
        return inbox.state.withLockedValue { s in
            s.buffer.getBytes(at: s.buffer.readerIndex, length: s.buffer.readableBytes) ?? []
        }
    }

    static func describe(_ error: any Error) -> ProbeReadError {
        if let e = error as? NIOSSLError { return .tls("\(e)") }
        if let e = error as? BoringSSLError { return .tls("\(e)") }
        return .channel("\(error)")
    }

    /// Closes without waiting for the peer (a TLS close_notify exchange is bounded by NIOSSL's
    /// shutdown timeout and runs on after we return).
    public func close() async {
        note("close")
        channel.close(promise: nil)
    }

    /// Closes the connection with no goodbye (used when a deadline is exceeded).
    public func abort() {
        channel.close(promise: nil)
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
