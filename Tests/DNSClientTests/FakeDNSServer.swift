import DNSWire
import Foundation
import NIOCore
import NIOPosix
@testable import DNSClient

/// A scripted DNS server on 127.0.0.1 (UDP and TCP on the same port) for client tests: for each
/// query it sends whatever raw replies the script returns — wrong IDs, other questions, TC, none.
final class FakeDNSServer: @unchecked Sendable {
    enum Transport: Sendable { case udp, tcp }
    typealias Script = @Sendable (DNSMessage, Transport) -> [[UInt8]]

    let udp: any Channel
    let tcp: any Channel
    let address: DNSServerAddress
    final class QueryLog: @unchecked Sendable {
        private var items: [(DNSMessage, Transport, Int)] = []
        private let lock = NSLock()
        func add(_ m: DNSMessage, _ t: Transport, port: Int) { lock.lock(); items.append((m, t, port)); lock.unlock() }
        var queries: [(message: DNSMessage, transport: Transport, sourcePort: Int)] { lock.lock(); defer { lock.unlock() }; return items.map { ($0.0, $0.1, $0.2) } }
    }

    static func start(_ script: @escaping Script) async throws -> FakeDNSServer {
        let group = MultiThreadedEventLoopGroup.singleton
        let log = QueryLog()
        // UDP takes an ephemeral port and TCP must get the same number; another socket may hold
        // that TCP port already (tests run in parallel), so try again with a new port.
        var attempt = 0
        while true {
            attempt += 1
            let udp = try await DatagramBootstrap(group: group).channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(UDPServer(script: script, log: log)) }
            }.bind(host: "127.0.0.1", port: 0).get()
            let port = udp.localAddress!.port!
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { ch in
                        ch.eventLoop.makeCompletedFuture {
                            try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                            try ch.pipeline.syncOperations.addHandler(TCPServer(script: script, log: log))
                        }
                    }.bind(host: "127.0.0.1", port: port).get()
                return FakeDNSServer(udp: udp, tcp: tcp, port: port, log: log)
            } catch {
                try? await udp.close()
                if attempt >= 20 { throw error }
            }
        }
    }

    private init(udp: any Channel, tcp: any Channel, port: Int, log: QueryLog) {
        self.udp = udp
        self.tcp = tcp
        self.address = DNSServerAddress(IPAddress("127.0.0.1")!, port: UInt16(port))
        self.logStorage = log
    }
    private let logStorage: QueryLog
    var queries: [(message: DNSMessage, transport: Transport, sourcePort: Int)] { logStorage.queries }

    func stop() async {
        try? await udp.close()
        try? await tcp.close()
    }

    final class UDPServer: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let script: Script
        let log: QueryLog
        init(script: @escaping Script, log: QueryLog) { self.script = script; self.log = log }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let env = unwrapInboundIn(data)
            guard let q = try? DNSMessage(decoding: Array(env.data.readableBytesView)) else { return }
            log.add(q, .udp, port: env.remoteAddress.port ?? 0)
            for r in script(q, .udp) {
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: env.remoteAddress, data: ByteBuffer(bytes: r))), promise: nil)
            }
        }
    }

    final class TCPServer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: Script
        let log: QueryLog
        init(script: @escaping Script, log: QueryLog) { self.script = script; self.log = log }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let q = try? DNSMessage(decoding: Array(unwrapInboundIn(data).readableBytesView)) else { return }
            log.add(q, .tcp, port: context.remoteAddress?.port ?? 0)
            for r in script(q, .tcp) {
                var b = ByteBuffer()
                b.writeInteger(UInt16(r.count))
                b.writeBytes(r)
                context.writeAndFlush(wrapOutboundOut(b), promise: nil)
            }
        }
    }
}

/// Builds a reply to `q` (same ID and question unless told otherwise).
func reply(to q: DNSMessage, id: UInt16? = nil, question: DNSQuestion? = nil, rcode: DNSRCode = .noError,
           flags: DNSHeaderFlags = [.response, .recursionDesired, .recursionAvailable],
           answers: [DNSResourceRecord] = []) -> [UInt8] {
    let m = DNSMessage(id: id ?? q.id, flags: flags, rcode: rcode, questions: [question ?? q.questions[0]], answers: answers,
                       edns: DNSEDNS(dnssecOK: true))
    return try! m.encoded()
}
