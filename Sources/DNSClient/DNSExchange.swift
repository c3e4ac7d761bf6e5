import DNSWire
import NIOCore
import NIOPosix

/// What one exchange with one server produced.
enum ExchangeOutcome: Sendable {
    /// A reply that matched the query (ID, source, question), decoded.
    case reply(DNSMessage, size: Int, microseconds: Int)
    /// A reply that matched but did not decode.
    case malformed(DNSDecodingError, microseconds: Int)
    case timeout
    /// The network said no: ECONNREFUSED (ICMP port unreachable on a connected UDP socket),
    /// no route, connection reset.
    case unreachable(String)
}

struct ExchangeTimeout: Error {}

/// Matches replies to the query that was sent (RFC 5452 §9.1): the source is the server (the
/// socket is connected, and the address is checked again), the ID is ours, the question is ours.
/// Anything else is counted and ignored, so a spoofed or stray datagram cannot end the wait.
/// Confined to the event loop of its promise (offer/fail run there only).
final class DNSReplyMatcher: @unchecked Sendable {
    let id: UInt16
    let question: DNSQuestion
    let promise: EventLoopPromise<[UInt8]>
    var done = false
    var ignored: [String] = []

    init(id: UInt16, question: DNSQuestion, promise: EventLoopPromise<[UInt8]>) {
        self.id = id
        self.question = question
        self.promise = promise
    }

    func offer(_ bytes: [UInt8]) {
        guard !done else { return }
        guard let (rid, q) = DNSMessage.peekIDAndQuestion(bytes) else { ignored.append("runt reply of \(bytes.count) octets"); return }
        guard rid == id else { ignored.append("reply with ID \(rid), expected \(id)"); return }
        // A server may omit the question in an error reply (FORMERR/NOTIMP); otherwise it must be ours.
        if let q, q != question { ignored.append("reply for another question (\(q))"); return }
        if q == nil, bytes.count >= 4, bytes[3] & 0x0F == 0 { ignored.append("NOERROR reply without a question"); return }
        done = true
        promise.succeed(bytes)
    }

    func fail(_ error: any Error) {
        guard !done else { return }
        done = true
        promise.fail(error)
    }
}

final class UDPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let matcher: DNSReplyMatcher
    let server: SocketAddress

    init(matcher: DNSReplyMatcher, server: SocketAddress) { self.matcher = matcher; self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == server else {
            matcher.ignored.append("datagram from \(envelope.remoteAddress), not the server")
            return
        }
        matcher.offer(Array(envelope.data.readableBytesView))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { matcher.fail(error) }
    func channelInactive(context: ChannelHandlerContext) { matcher.fail(ExchangeTimeout()) }
}

/// RFC 1035 §4.2.2: over TCP each message is preceded by its length in two octets.
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

final class TCPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let matcher: DNSReplyMatcher
    init(matcher: DNSReplyMatcher) { self.matcher = matcher }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        matcher.offer(Array(unwrapInboundIn(data).readableBytesView))
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { matcher.fail(error) }
    func channelInactive(context: ChannelHandlerContext) { matcher.fail(ChannelError.eof) }
}

enum DNSExchange {
    static let anyIPv4 = try! SocketAddress(ipAddress: "0.0.0.0", port: 0)
    static let anyIPv6 = try! SocketAddress(ipAddress: "::", port: 0)

    /// One query over UDP from a fresh socket: the kernel picks a random ephemeral source port,
    /// the socket is connected to the server so ICMP errors come back as ECONNREFUSED. The whole
    /// exchange (bind, connect, send, wait, close) runs as one chain on one event loop, so a query
    /// costs a single hop between the loop and the caller's task.
    static func udp(_ query: [UInt8], id: UInt16, question: DNSQuestion, server: SocketAddress,
                    timeout: TimeAmount, group: any EventLoopGroup) async -> ExchangeOutcome {
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let start = NIODeadline.now()
        let bootstrap = DatagramBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let matcher = DNSReplyMatcher(id: id, question: question, promise: promise)
                try channel.pipeline.syncOperations.addHandler(UDPReplyHandler(matcher: matcher, server: server))
            }
        }
        // A prebuilt wildcard address: `bind(host:port:)` would run getaddrinfo on the loop.
        let local = server.protocol == .inet6 ? Self.anyIPv6 : Self.anyIPv4
        let timer = loop.scheduleTask(in: timeout) { promise.fail(ExchangeTimeout()) }
        let reply: EventLoopFuture<[UInt8]> = bootstrap.bind(to: local).flatMap { channel in
            channel.connect(to: server).flatMap {
                channel.writeAndFlush(ByteBuffer(bytes: query))
            }.flatMap {
                promise.futureResult
            }.always { _ in
                timer.cancel()
                channel.close(promise: nil)
            }
        }
        reply.whenComplete { result in
            timer.cancel()
            if case .failure(let e) = result { promise.fail(e) }
        }
        return await Self.outcome(reply, start: start)
    }

    /// One query over TCP (RFC 7766), used when the UDP reply had TC set.
    static func tcp(_ query: [UInt8], id: UInt16, question: DNSQuestion, server: SocketAddress,
                    timeout: TimeAmount, group: any EventLoopGroup) async -> ExchangeOutcome {
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let start = NIODeadline.now()
        let bootstrap = ClientBootstrap(group: loop).connectTimeout(timeout).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let matcher = DNSReplyMatcher(id: id, question: question, promise: promise)
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                try channel.pipeline.syncOperations.addHandler(TCPReplyHandler(matcher: matcher))
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: server).get()
        } catch let e as ChannelError where e == .connectTimeout(timeout) {
            promise.fail(e)
            return .timeout
        } catch {
            promise.fail(error)
            return .unreachable(Self.words(error))
        }
        let timer = loop.scheduleTask(in: timeout) { promise.fail(ExchangeTimeout()) }
        var framed = ByteBuffer()
        framed.writeInteger(UInt16(query.count))
        framed.writeBytes(query)
        channel.writeAndFlush(framed).whenFailure { promise.fail($0) }
        let outcome = await Self.outcome(promise.futureResult, start: start)
        timer.cancel()
        try? await channel.close()
        return outcome
    }

    static func outcome(_ future: EventLoopFuture<[UInt8]>, start: NIODeadline) async -> ExchangeOutcome {
        do {
            let bytes = try await future.get()
            let us = Int((NIODeadline.now() - start).nanoseconds / 1000)
            do {
                return .reply(try DNSMessage(decoding: bytes), size: bytes.count, microseconds: us)
            } catch {
                return .malformed(error, microseconds: us)
            }
        } catch is ExchangeTimeout {
            return .timeout
        } catch {
            return .unreachable(Self.words(error))
        }
    }

    /// An I/O error as a person reads it.
    static func words(_ error: any Error) -> String {
        if let e = error as? IOError {
            switch e.errnoCode {
            case 111: return "connection refused (nothing listening on the port)"
            case 113: return "no route to host"
            case 101: return "network unreachable"
            case 104: return "connection reset"
            default: return "\(e)"
            }
        }
        if let e = error as? ChannelError {
            if case .connectTimeout = e { return "connect timeout" }
            if case .eof = e { return "connection closed before a reply" }
        }
        return "\(error)"
    }
}
