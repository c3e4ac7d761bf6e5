import Diagnosis
import NIOCore
import NIOPosix
import Probes
import Testing
import TLSWire

/// In-process fake SMTP servers for peers the lab cannot play: a throttling server (421) and
/// a silent one. Both must be "could not test", never "no TLS".
@Suite struct HostilePeerTests {
    final class Greeter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let greeting: String?
        init(greeting: String?) { self.greeting = greeting }
        func channelActive(context: ChannelHandlerContext) {
            guard let greeting else { return }  // silent: never greets
            context.writeAndFlush(NIOAny(ByteBuffer(string: greeting)), promise: nil)
            context.close(promise: nil)
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    static func withServer<T>(greeting: String?, _ body: (Int) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Greeter(greeting: greeting)) } }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        return try await body(server.localAddress?.port ?? 0)
    }

    func scan(_ port: Int, _ proto: StartTLSProtocol = .smtp) async -> TLSScanResult {
        var o = TLSScanOptions(host: "fake.invalid", address: "127.0.0.1", port: port, starttls: proto)
        o.stepTimeout = .milliseconds(500)
        o.overallTimeout = .seconds(10)
        return await TLSScanner(options: o).scan()
    }

    @Test func throttlingServerIsCouldNotTest() async throws {
        let r = try await Self.withServer(greeting: "421 4.7.0 mx.example Too many connections, try later\r\n") { await scan($0) }
        #expect(r.status == .couldNotTest)
        #expect(r.statusDetail?.contains("421") == true)
        #expect(TLSAssessment(scan: r).findings.map(\.id) == ["tls.could-not-test"])
    }

    /// IMAP and POP3 servers at their limit say so in the greeting: BYE (RFC 9051 §7.1.5) or
    /// -ERR. Taken as the server's limit (`ServerLimit`), retried briefly, then "could not test".
    @Test func imapByeAndPOP3ErrGreetingsAreCouldNotTest() async throws {
        let imap = try await Self.withServer(greeting: "* BYE Too many connections\r\n") { await scan($0, .imap) }
        #expect(imap.status == .couldNotTest)
        #expect(imap.statusDetail?.hasPrefix("greeting BYE") == true, "\(imap.statusDetail ?? "")")
        let pop3 = try await Self.withServer(greeting: "-ERR [SYS/TEMP] Too many connections\r\n") { await scan($0, .pop3) }
        #expect(pop3.status == .couldNotTest)
        #expect(pop3.statusDetail?.hasPrefix("greeting -ERR") == true, "\(pop3.statusDetail ?? "")")
        #expect(TLSAssessment(scan: imap).findings.map(\.id) == ["tls.could-not-test"])
    }

    @Test func silentServerIsCouldNotTestWithinTheDeadline() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let r = try await Self.withServer(greeting: nil) { await scan($0) }
        #expect(r.status == .couldNotTest)
        // Within the overall deadline of 10 s, plus slack for a loaded two-core machine.
        #expect(clock.now - start < .seconds(13))
    }

    @Test func refusingGreetingIsCouldNotTest() async throws {
        // RFC 5321 §3.1: 554 refuses service to this client; that says nothing about TLS.
        let r = try await Self.withServer(greeting: "554 5.7.1 go away\r\n") { await scan($0) }
        #expect(r.status == .couldNotTest)
    }
}
