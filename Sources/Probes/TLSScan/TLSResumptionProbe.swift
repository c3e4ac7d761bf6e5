import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import TLSWire

/// A real TLS 1.2 resumption attempt: one full handshake through BoringSSL, then hand-built
/// hellos on fresh connections offering what that handshake left behind.
///
/// swift-nio-ssl (2.37) has no client session API: no `SSL_SESSION` getter or setter, no session
/// cache mode on `TLSConfiguration`, no "session reused" query, and `NIOSSLContext` keeps its
/// `SSL_CTX` private. So the session is read off the wire instead: a handler in front of
/// `NIOSSLClientHandler` copies the server's bytes, and before the server's ChangeCipherSpec a
/// TLS ≤1.2 handshake is in the clear, so the ServerHello's session id and the NewSessionTicket
/// (RFC 5077 §3.3) are readable (`TLSSessionCapture`). The second hello offers them; the server
/// resumes when it echoes the offered session id (RFC 5246 §7.4.1.3, RFC 5077 §3.4). The
/// abbreviated handshake is not finished (the master secret stays inside BoringSSL): the echo
/// is the server's commitment to resume. TLS 1.3 tickets arrive encrypted after the handshake,
/// so 1.3 resumption is not attempted.
struct TLSResumptionProbe {
    let options: TLSScanOptions
    let deadlines: Deadlines

    /// Copies inbound bytes (bounded) and passes them on unchanged.
    final class Tap: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let bytes = NIOLockedValueBox<[UInt8]>([])
        let limit = 256 * 1024

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLockedValue { b in
                if b.count < limit { b += buffer.readableBytesView.prefix(limit - b.count) }
            }
            context.fireChannelRead(data)
        }
    }

    /// Full TLS 1.2 handshake on `prepared`; the session it left (nil when it failed).
    func fullHandshake(on prepared: Result<ProbeConnection, TLSHelloProbe.PreambleError>) async -> TLSSessionCapture? {
        guard case .success(let c) = prepared else { return nil }
        defer { c.abort() }
        let tap = Tap()
        do {
            var config = TLSConfiguration.makeClientConfiguration()
            config.minimumTLSVersion = .tlsv12
            config.maximumTLSVersion = .tlsv12
            config.certificateVerification = .none  // only the session matters here
            let context = try NIOSSLContext(configuration: config)
            let sni = TLSCertificateFetcher.sni(options.host)
            let channel = c.channel
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: sni)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                try channel.pipeline.syncOperations.addHandler(tap, position: .first)
            }.get()
        } catch {
            return nil
        }
        guard await c.handshakeCompleted(by: deadlines.step(options.stepTimeout)) else { return nil }
        var capture = TLSSessionCapture()
        var decoder = TLSRecordDecoder()
        var buffer = ByteBuffer(bytes: tap.bytes.withLockedValue { $0 })
        while !capture.isDone, let record = try? decoder.decode(buffer: &buffer) { capture.feed(record) }
        guard let sh = capture.serverHello, sh.negotiatedVersion == .tls12 else { return nil }
        return capture
    }

    /// The hello offering the captured session: its suite, the session id (a fresh one when the
    /// server sent none, RFC 5077 §3.4), and the ticket when `withTicket`.
    func resumingHello(_ capture: TLSSessionCapture, withTicket: Bool) -> (ClientHello, [UInt8])? {
        guard let sh = capture.serverHello else { return nil }
        let id = sh.sessionID.isEmpty ? TLSOffers.random() : sh.sessionID
        // RFC 5246 §7.4.1.2: the offer must hold the session's suite.
        var h = TLSOffers.hello(.tls12, suites: [sh.cipherSuite], host: options.host)
        h.sessionID = id
        if withTicket {
            guard let ticket = capture.ticket, !ticket.isEmpty else { return nil }
            h.sessionTicketData = ticket
        } else {
            guard !sh.sessionID.isEmpty else { return nil }
            h.sessionTicket = false
        }
        return (h, id)
    }

    /// Whether `outcome` resumes the session offered with `id`.
    static func resumed(_ outcome: HelloOutcome, id: [UInt8]) -> Bool? {
        switch outcome {
        case .flight(let f):
            guard let sh = f.serverHello else { return nil }
            return sh.negotiatedVersion == .tls12 && sh.sessionID == id
        case .alert, .closed, .malformed: return false
        case .couldNotTest, .noStartTLS: return nil
        }
    }
}
