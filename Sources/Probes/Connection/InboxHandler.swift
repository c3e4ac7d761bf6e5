import NIOConcurrencyHelpers
import NIOCore
import NIOTLS

/// The last handler of a probe's pipeline: it buffers what the peer sends (after TLS, when a
/// TLS handler sits in front of it) and wakes the one task waiting for news.
///
/// We do not use `NIOAsyncChannel` here because a read that times out must leave the stream
/// usable (the STARTTLS-injection test waits briefly for bytes that should never come, then
/// goes on); cancelling an async iterator ends its sequence. Memory is bounded by `maxBuffered`:
/// past it the connection is closed and the overflow recorded.
final class InboxHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    struct State {
        var buffer = ByteBuffer()
        var eof = false
        var error: (any Error)?
        var overflow = false
        var tlsHandshakeDone = false
        var generation = 0
        var waiter: CheckedContinuation<Void, Never>?
    }

    let state = NIOLockedValueBox(State())
    let maxBuffered: Int

    init(maxBuffered: Int = 4 * 1024 * 1024) {
        self.maxBuffered = maxBuffered
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        let overflow = state.withLockedValue { s -> Bool in
            if s.buffer.readableBytes + bytes.readableBytes > maxBuffered {
                s.overflow = true
            } else {
                s.buffer.writeBuffer(&bytes)
            }
            return s.overflow
        }
        if overflow { context.close(promise: nil) }
        wake()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLockedValue { $0.eof = true }
        wake()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.withLockedValue { if $0.error == nil { $0.error = error } }
        wake()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            state.withLockedValue { $0.tlsHandshakeDone = true }
            wake()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Bumps the generation and resumes the waiter, if any (outside the lock).
    func wake() {
        let w = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            s.generation &+= 1
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume()
    }

    /// Waits until something happens after `generation` or the deadline passes.
    func wait(after generation: Int, deadline: NIODeadline, eventLoop: any EventLoop) async {
        if Task.isCancelled || deadline <= .now() { return }
        let timer = eventLoop.scheduleTask(deadline: deadline) { [self] in wake() }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { s -> Bool in
                    if s.generation != generation || s.waiter != nil { return true }
                    s.waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: { [self] in
            wake()
        }
    }
}
