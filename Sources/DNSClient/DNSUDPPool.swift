import DNSWire
import Foundation
import NIOCore
import NIOPosix

/// Long-lived UDP sockets for queries, per server: opening, binding, connecting and registering a
/// fresh NIO channel for every query cost more CPU than the rest of the exchange together.
///
/// RFC 5452 §9.2 is kept as follows: each server gets `socketsPerServer` connected sockets, each
/// bound to its own kernel-chosen random ephemeral port; every query gets a random 16-bit ID and a
/// randomly chosen socket (never the one the previous query to that server used, so consecutive
/// queries differ in port); a socket is replaced by a fresh one (new random port) after
/// `queriesPerSocket` queries or `socketLifetime`, whichever comes first. Replies are demultiplexed
/// by ID; a reply counts only if it comes from the server's address and port (the socket is
/// connected, and the address is checked again), carries an ID in flight on that socket, and repeats
/// that query's question (RFC 5452 §9.1, `DNSReplyMatcher`). Two queries in flight on one socket
/// never share an ID.
final class DNSUDPPool: @unchecked Sendable {
    /// One pooled socket. Mutable state is guarded by the pool's lock.
    final class Socket: @unchecked Sendable {
        let loop: any EventLoop
        let born: NIODeadline
        var channel: EventLoopFuture<any Channel>!
        var pending: [UInt16: DNSReplyMatcher] = [:]
        var uses = 0
        var retired = false
        var closed = false
        init(loop: any EventLoop) { self.loop = loop; self.born = .now() }
    }

    static let vectorRead = 16
    let group: any EventLoopGroup
    /// All pooled sockets live on one event loop: replies then wake one thread, not several, and
    /// that loop's work per query (a few µs) is far from being a bottleneck.
    let loop: any EventLoop
    let socketsPerServer: Int
    let queriesPerSocket: Int
    let socketLifetime: TimeAmount
    let lock = NSLock()
    private var slots: [SocketAddress: [Socket?]] = [:]
    private var lastSlot: [SocketAddress: Int] = [:]
    /// Sockets opened so far (for tests and diagnostics).
    private(set) var opened = 0

    init(group: any EventLoopGroup, socketsPerServer: Int = 16, queriesPerSocket: Int = 500,
         socketLifetime: TimeAmount = .seconds(10)) {
        self.group = group
        self.loop = group.next()
        self.socketsPerServer = max(1, socketsPerServer)
        self.queriesPerSocket = max(1, queriesPerSocket)
        self.socketLifetime = socketLifetime
    }

    deinit {
        for list in slots.values {
            for case let s? in list { s.channel?.whenSuccess { $0.close(promise: nil) } }
        }
    }

    /// Local ports of the live sockets for `server` (tests).
    func localPorts(for server: SocketAddress) async -> [Int] {
        let futures = lock.withLock { (slots[server] ?? []).compactMap { $0?.channel } }
        var ports: [Int] = []
        for f in futures { if let p = try? await f.get().localAddress?.port { ports.append(p) } }
        return ports
    }

    /// One query over UDP on a pooled socket.
    func query(_ wire: [UInt8], id: UInt16, question: DNSQuestion, server: SocketAddress,
               timeout: TimeAmount) async -> ExchangeOutcome {
        var toClose: [Socket] = []
        let picked: (Socket, DNSReplyMatcher)? = lock.withLock {
            let n = socketsPerServer
            var list = slots[server] ?? Array(repeating: nil, count: n)
            defer { slots[server] = list }
            var k = Int.random(in: 0..<n)
            if n > 1, k == lastSlot[server] { k = (k + Int.random(in: 1..<n)) % n }
            let now = NIODeadline.now()
            for step in 0..<n {
                let i = (k + step) % n
                let s: Socket
                if let old = list[i], !old.retired, old.uses < queriesPerSocket, now - old.born < socketLifetime {
                    s = old
                } else {
                    if let old = list[i] {
                        old.retired = true
                        if old.pending.isEmpty, !old.closed { old.closed = true; toClose.append(old) }
                    }
                    s = openLocked(server: server)
                    list[i] = s
                }
                if s.pending[id] != nil { continue }  // that ID is in flight there: another socket
                s.uses += 1
                let matcher = DNSReplyMatcher(id: id, question: question, promise: s.loop.makePromise(of: [UInt8].self))
                s.pending[id] = matcher
                lastSlot[server] = i
                return (s, matcher)
            }
            return nil
        }
        for s in toClose { s.channel.whenSuccess { $0.close(promise: nil) } }
        guard let (socket, matcher) = picked else {
            // The ID is in flight on every socket of the pool: a socket of its own.
            return await DNSExchange.udp(wire, id: id, question: question, server: server, timeout: timeout, group: group)
        }
        let start = NIODeadline.now()
        let promise = matcher.promise
        // One hop onto the socket's loop for the timer, the write and the clean-up. (The pool is
        // kept alive until the query ends: at most `timeout`.)
        socket.loop.execute { [self] in
            let timer = socket.loop.scheduleTask(in: timeout) { matcher.fail(ExchangeTimeout()) }
            promise.futureResult.whenComplete { _ in
                timer.cancel()
                self.release(socket, id: id, matcher: matcher)
            }
            socket.channel.whenComplete { result in
                switch result {
                case .success(let channel):
                    channel.writeAndFlush(ByteBuffer(bytes: wire)).whenFailure { matcher.fail($0) }
                case .failure(let error):
                    self.retire(socket)
                    matcher.fail(error)
                }
            }
        }
        return await DNSExchange.outcome(promise.futureResult, start: start)
    }

    /// Opens a socket (bind to a random port, connect to the server); called with the lock held.
    private func openLocked(server: SocketAddress) -> Socket {
        let s = Socket(loop: loop)
        opened += 1
        let local = server.protocol == .inet6 ? DNSExchange.anyIPv6 : DNSExchange.anyIPv4
        s.channel = DatagramBootstrap(group: s.loop)
            .channelOption(.maxMessagesPerRead, value: 4)
            // recvmmsg: up to 16 replies per system call, 4 KiB each (our EDNS size is 1232).
            .channelOption(.datagramVectorReadMessageCount, value: Self.vectorRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.vectorRead * 4096))
            .channelInitializer { [weak self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PooledUDPHandler(pool: self, socket: s, server: server))
                }
            }
            .bind(to: local)
            .flatMap { channel in
                channel.connect(to: server).map { channel }.flatMapError { error in
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        return s
    }

    func matcher(on socket: Socket, id: UInt16) -> DNSReplyMatcher? {
        lock.withLock { socket.pending[id] }
    }

    private func release(_ socket: Socket, id: UInt16, matcher: DNSReplyMatcher) {
        let close: Bool = lock.withLock {
            if socket.pending[id] === matcher { socket.pending[id] = nil }
            guard socket.retired, socket.pending.isEmpty, !socket.closed else { return false }
            socket.closed = true
            return true
        }
        if close { socket.channel.whenSuccess { $0.close(promise: nil) } }
    }

    private func retire(_ socket: Socket) {
        lock.withLock { socket.retired = true }
    }

    /// An error on the socket (ECONNREFUSED after an ICMP port unreachable, for one): it concerns
    /// the server, so every query waiting on the socket gets it, and the socket is replaced.
    func failAll(on socket: Socket, _ error: any Error, closed: Bool) {
        let (waiting, close): ([DNSReplyMatcher], Bool) = lock.withLock {
            socket.retired = true
            if closed { socket.closed = true }
            // With queries waiting, the last one to finish closes it (`release`).
            let close = !socket.closed && socket.pending.isEmpty
            if close { socket.closed = true }
            return (Array(socket.pending.values), close)
        }
        for m in waiting { m.fail(error) }
        if close { socket.channel.whenSuccess { $0.close(promise: nil) } }
    }
}

/// Demultiplexes the replies arriving on one pooled socket to the queries waiting on it.
final class PooledUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    weak var pool: DNSUDPPool?
    let socket: DNSUDPPool.Socket
    let server: SocketAddress
    /// Datagrams dropped before reaching a query: not from the server, too short, unknown ID.
    var dropped = 0

    init(pool: DNSUDPPool?, socket: DNSUDPPool.Socket, server: SocketAddress) {
        self.pool = pool
        self.socket = socket
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(unwrapInboundIn(data))
    }

    /// Hands a datagram to the query waiting on this socket with its ID, which still checks the
    /// question; a datagram from anywhere but the server's address and port, too short to be a
    /// reply, or with an ID not in flight here is dropped (false).
    @discardableResult
    func deliver(_ envelope: AddressedEnvelope<ByteBuffer>) -> Bool {
        guard envelope.remoteAddress == server, envelope.data.readableBytes >= 12,
              let id = envelope.data.getInteger(at: envelope.data.readerIndex, as: UInt16.self),
              let matcher = pool?.matcher(on: socket, id: id) else {
            dropped += 1
            return false
        }
        matcher.offer(Array(envelope.data.readableBytesView))
        return true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pool?.failAll(on: socket, error, closed: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool?.failAll(on: socket, ChannelError.eof, closed: true)
    }
}
