import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// An in-process hostile or scripted server on 127.0.0.1 for the cases the lab's real servers
/// cannot play (endless replies, drips, broken TLS). Records every byte the client wrote.
final class FakePeer: Sendable {
    /// What the peer does: on connect, and on each line the client sends.
    struct Script: Sendable {
        var onConnect: @Sendable (FakeConnection) -> Void = { _ in }
        var onLine: @Sendable (String, FakeConnection) -> Void = { _, _ in }
        /// Called with raw bytes once the script switches to raw mode (e.g. a ClientHello).
        var onRaw: (@Sendable ([UInt8], FakeConnection) -> Void)?
    }

    let channel: any Channel
    let received = NIOLockedValueBox<[UInt8]>([])
    let connections = NIOLockedValueBox(0)
    let maxConcurrent = NIOLockedValueBox((current: 0, max: 0))

    var port: Int { channel.localAddress!.port! }
    var receivedText: String { String(decoding: received.withLockedValue { $0 }, as: UTF8.self) }

    private init(channel: any Channel) { self.channel = channel }

    static func start(_ script: Script) async throws -> FakePeer {
        let box = NIOLockedValueBox<FakePeer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(FakeHandler(script: script, peer: box.withLockedValue { $0 }!))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let peer = FakePeer(channel: channel)
        box.withLockedValue { $0 = peer }
        return peer
    }

    func stop() async {
        try? await channel.close()
    }
}

/// The peer's side of one connection, handed to the script.
struct FakeConnection: @unchecked Sendable {
    let channel: any Channel
    var raw: Bool { rawMode.withLockedValue { $0 } }
    let rawMode: NIOLockedValueBox<Bool>

    func send(_ text: String) { channel.writeAndFlush(ByteBuffer(string: text), promise: nil) }
    func send(_ bytes: [UInt8]) { channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil) }
    func close() { channel.close(promise: nil) }
    /// Puts a TLS server handler in front (called on the event loop, from `onLine`). Lines
    /// already buffered behind STARTTLS are still handled afterwards unless `discardPending`,
    /// which is exactly the STARTTLS-injection flaw when they are not discarded.
    func startTLS(_ context: NIOSSLContext) {
        try? channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .first)
    }

    /// From now on, bytes go to `onRaw` instead of being split into lines.
    func switchToRaw() { rawMode.withLockedValue { $0 = true } }

    /// Writes `chunk` again and again (each write after the previous one completes) until
    /// `total` bytes went out or the connection closed.
    func flood(_ chunk: ByteBuffer, total: Int) {
        guard total > 0, channel.isActive else { return }
        channel.writeAndFlush(chunk).whenSuccess { flood(chunk, total: total - chunk.readableBytes) }
    }

    /// Sends one byte of `text` every `interval`.
    func drip(_ text: String, interval: TimeAmount) {
        let bytes = Array(text.utf8)
        for (i, b) in bytes.enumerated() {
            channel.eventLoop.scheduleTask(in: interval * Int64(i)) {
                if channel.isActive { channel.writeAndFlush(ByteBuffer(bytes: [b]), promise: nil) }
            }
        }
    }
}

private final class FakeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let script: FakePeer.Script
    let peer: FakePeer
    var pending: [UInt8] = []
    var connection: FakeConnection?

    init(script: FakePeer.Script, peer: FakePeer) {
        self.script = script
        self.peer = peer
    }

    func channelActive(context: ChannelHandlerContext) {
        peer.connections.withLockedValue { $0 += 1 }
        peer.maxConcurrent.withLockedValue { $0.current += 1; $0.max = max($0.max, $0.current) }
        let c = FakeConnection(channel: context.channel, rawMode: NIOLockedValueBox(false))
        connection = c
        script.onConnect(c)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.maxConcurrent.withLockedValue { $0.current -= 1 }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        peer.received.withLockedValue { $0 += bytes }
        guard let c = connection else { return }
        if c.raw, let onRaw = script.onRaw { onRaw(bytes, c); return }
        pending += bytes
        while let lf = pending.firstIndex(of: 0x0A) {
            var line = Array(pending[..<lf])
            pending.removeFirst(lf + 1)
            if line.last == 0x0D { line.removeLast() }
            script.onLine(String(decoding: line, as: UTF8.self), c)
            if c.raw, let onRaw = script.onRaw, !pending.isEmpty {
                let rest = pending
                pending = []
                onRaw(rest, c)
                return
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A polite SMTP server without TLS, for exact-bytes tests.
enum FakeSMTP {
    static func polite(ehlo: [String] = ["fake.test", "PIPELINING", "SIZE 1000", "8BITMIME"]) -> FakePeer.Script {
        FakePeer.Script(
            onConnect: { $0.send("220 fake.test ESMTP Exim 4.96 ready\r\n") },
            onLine: { line, c in
                let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
                switch verb {
                case "EHLO":
                    c.send(ehlo.enumerated().map { i, l in "250\(i == ehlo.count - 1 ? " " : "-")\(l)\r\n" }.joined())
                case "VRFY", "EXPN": c.send("502 5.5.1 disabled\r\n")
                case "RSET": c.send("250 2.0.0 Ok\r\n")
                case "MAIL": c.send("250 2.1.0 Ok\r\n")
                case "RCPT": c.send("554 5.7.1 Relay access denied\r\n")
                case "QUIT": c.send("221 2.0.0 Bye\r\n"); c.close()
                default: c.send("500 5.5.2 unknown\r\n")
                }
            })
    }
}
