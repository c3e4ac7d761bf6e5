import NIOCore
import NIOPosix
import Probes
import Testing
import TLSWire

/// An in-process SMTP server whose TLS stack is broken the way OpenSSL is without DH parameters:
/// it picks the first offered suite of its own preference list, and when that suite is one it
/// cannot serve (a finite-field DHE suite) it drops the connection without an alert. It refuses
/// anything else silently too, as Dovecot does. The lab's servers all have DH parameters now, so
/// this peer is the only place where a broken pick can hide suites the server prefers less.
@Suite struct BrokenPeerTests {
    /// Server preference: DHE first (cannot be served), then two it serves.
    static let preference: [UInt16] = [0x009E, 0xC02F, 0x0033, 0x009C]
    static let broken: Set<UInt16> = [0x009E, 0x0033]

    final class BrokenTLS: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var buffer = ByteBuffer()
        private var inTLS = false

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(NIOAny(ByteBuffer(string: "220 broken.invalid ESMTP\r\n")), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            buffer.writeBuffer(&chunk)
            if inTLS { return answerHello(context) }
            while let line = buffer.readLine() {
                let verb = line.uppercased()
                if verb.hasPrefix("EHLO") {
                    context.writeAndFlush(NIOAny(ByteBuffer(string: "250-broken.invalid\r\n250 STARTTLS\r\n")), promise: nil)
                } else if verb.hasPrefix("STARTTLS") {
                    inTLS = true
                    context.writeAndFlush(NIOAny(ByteBuffer(string: "220 go ahead\r\n")), promise: nil)
                    return answerHello(context)
                } else {
                    context.writeAndFlush(NIOAny(ByteBuffer(string: "502 no\r\n")), promise: nil)
                }
            }
        }

        /// RFC 5246 §7.4.1.2: record header (5), handshake header (4), version (2), random (32),
        /// session id <0..32>, cipher_suites <2..2^16-2>.
        private func answerHello(_ context: ChannelHandlerContext) {
            let bytes = Array(buffer.readableBytesView)
            guard bytes.count >= 5 else { return }
            let recordLength = Int(bytes[3]) << 8 | Int(bytes[4])
            guard bytes.count >= 5 + recordLength else { return }
            var i = 5 + 4
            let version = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
            i += 2 + 32
            i += 1 + Int(bytes[i])
            let n = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            i += 2
            var offered: [UInt16] = []
            for j in stride(from: i, to: min(i + n, bytes.count - 1), by: 2) { offered.append(UInt16(bytes[j]) << 8 | UInt16(bytes[j + 1])) }
            // Only TLS 1.2 (legacy_version 0x0303, RFC 5246 §7.4.1.2); TLS 1.3 suites are unknown here.
            guard version == 0x0303, let pick = BrokenPeerTests.preference.first(where: offered.contains),
                  !BrokenPeerTests.broken.contains(pick) else {
                context.close(promise: nil)  // no alert: the broken case and the plain refusal look alike
                return
            }
            var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 7, count: 32) + [0]
            body += [UInt8(pick >> 8), UInt8(pick & 0xFF), 0]
            let handshake: [UInt8] = [2, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
            let record: [UInt8] = [22, 0x03, 0x03, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
            context.writeAndFlush(NIOAny(ByteBuffer(bytes: record))).whenComplete { _ in context.close(promise: nil) }
        }
    }

    @Test func suitesBehindOneTheServerCannotServeAreStillFound() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(BrokenTLS()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        var o = TLSScanOptions(host: "broken.invalid", address: "127.0.0.1", port: server.localAddress?.port ?? 0, starttls: .smtp)
        o.fetchCertificate = false
        o.stepTimeout = .seconds(5)
        o.overallTimeout = .seconds(30)
        let r = await TLSScanner(options: o).scan()
        #expect(r.status == .completed)
        #expect(r.acceptedVersions == [.tls12])
        let v12 = try #require(r.versions.first { $0.version == .tls12 })
        // Both servable suites, in the server's order; none of those it picks and cannot serve.
        #expect(v12.suites == [0xC02F, 0x009C])
        #expect(v12.serverOrder == true)
    }
}

private extension ByteBuffer {
    mutating func readLine() -> String? {
        guard let nl = readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return readString(length: nl - readerIndex + 1)
    }
}
