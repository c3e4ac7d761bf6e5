import Diagnosis
import Foundation
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

    /// Connections open at once, and the most seen (the per-host cap counts primed ones too).
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var open = 0
        private(set) var peak = 0
        /// Counts a new connection; returns how many are open with it.
        @discardableResult func opened() -> Int { lock.lock(); defer { lock.unlock() }; open += 1; peak = max(peak, open); return open }
        func closed() { lock.lock(); open -= 1; lock.unlock() }
        private var hellos = 0
        /// Counts a ClientHello; returns how many came before it.
        func hello() -> Int { lock.lock(); defer { hellos += 1; lock.unlock() }; return hellos }
        var highest: Int { lock.lock(); defer { lock.unlock() }; return peak }
    }

    final class BrokenTLS: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var buffer = ByteBuffer()
        private var inTLS = false
        let gauge: Gauge
        /// After this many hellos, later ones get no answer at all (a server too busy to go on).
        let stallAfter: Int
        /// More connections at once than this get 421 and are closed (Postfix's
        /// smtpd_client_connection_count_limit, Exim's smtp_accept_max).
        let limit: Int
        init(gauge: Gauge, stallAfter: Int = .max, limit: Int = .max) { self.gauge = gauge; self.stallAfter = stallAfter; self.limit = limit }

        func channelActive(context: ChannelHandlerContext) {
            if gauge.opened() > limit {
                context.writeAndFlush(NIOAny(ByteBuffer(string: "421 4.7.0 broken.invalid Error: too many connections\r\n")))
                    .whenComplete { _ in context.close(promise: nil) }
                return
            }
            context.writeAndFlush(NIOAny(ByteBuffer(string: "220 broken.invalid ESMTP\r\n")), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            gauge.closed()
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
            buffer.clear()
            if gauge.hello() >= stallAfter { return }  // keeps the connection, says nothing
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

    /// A server of `handler`s on a loopback port, and scan options for it (no certificate).
    static func start(_ handler: @escaping @Sendable () -> BrokenTLS, cap: Int, step: TimeAmount,
                      overall: TimeAmount) async throws -> (any Channel, TLSScanOptions) {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(handler()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        var o = TLSScanOptions(host: "broken.invalid", address: "127.0.0.1", port: server.localAddress?.port ?? 0, starttls: .smtp)
        o.fetchCertificate = false
        o.stepTimeout = step
        o.overallTimeout = overall
        o.perHostConcurrency = cap
        return (server, o)
    }

    /// The issue: a server that stops answering part-way is "could not test", never a scan
    /// with versions or suites reported missing (here TLS 1.3 and most suites would be).
    @Test func aServerThatStopsAnsweringPartWayIsCouldNotTest() async throws {
        let gauge = Gauge()
        let (server, o) = try await Self.start({ BrokenTLS(gauge: gauge, stallAfter: 3) }, cap: 3, step: .milliseconds(500), overall: .seconds(30))
        defer { server.close(promise: nil) }
        let r = await TLSScanner(options: o).scan()
        #expect(r.status == .couldNotTest, "\(r.status) \(r.statusDetail ?? "")")
        #expect(r.statusDetail?.contains("no answer") == true, "\(r.statusDetail ?? "")")
        #expect(TLSAssessment(scan: r).findings.map(\.id) == ["tls.could-not-test"])
    }

    /// A server whose connection limit (3) is below the scan's cap (8) answers the extra
    /// connections 421: the full scan and the quick assessment lower their cap and ask again,
    /// and find everything, instead of "could not test".
    @Test func aConnectionLimitBelowTheCapLowersTheCap() async throws {
        let gauge = Gauge()
        let (server, o) = try await Self.start({ BrokenTLS(gauge: gauge, limit: 3) }, cap: 8, step: .seconds(5), overall: .seconds(60))
        defer { server.close(promise: nil) }
        let full = await TLSScanner(options: o).scan()
        #expect(full.status == .completed, "\(full.status) \(full.statusDetail ?? "")")
        #expect(full.versions.first { $0.version == .tls12 }?.suites == [0xC02F, 0x009C])
        #expect(full.notes.contains { $0.contains("connection limit") }, "\(full.notes)")
        let quick = await TLSQuickAssessment(options: o, ranking: .init(suite: { _ in 0 }, group: { _ in 0 })).scan()
        #expect(quick.status == .completed, "\(quick.status) \(quick.statusDetail ?? "")")
        #expect(quick.acceptedVersions == [.tls12])
    }

    @Test func suitesBehindOneTheServerCannotServeAreStillFound() async throws {
        let gauge = Gauge()
        let (server, o) = try await Self.start({ BrokenTLS(gauge: gauge) }, cap: 3, step: .seconds(5), overall: .seconds(30))
        defer { server.close(promise: nil) }
        let r = await TLSScanner(options: o).scan()
        // Primed connections (STARTTLS done, waiting for their hello) count against the cap.
        #expect(gauge.highest <= 3)
        #expect(gauge.highest >= 1)
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
