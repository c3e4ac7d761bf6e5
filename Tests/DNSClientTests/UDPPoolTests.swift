import DNSWire
import Foundation
import MailCore
import NIOCore
import NIOPosix
import Testing
@testable import DNSClient

private func n(_ s: String) -> DomainName { try! DomainName(s) }
private func aRecord(_ name: DomainName) -> DNSResourceRecord {
    DNSResourceRecord(name: name, ttl: 60, data: .a(IPAddress("127.0.99.1")!))
}
private func address(_ s: FakeDNSServer) -> SocketAddress {
    try! SocketAddress(ipAddress: "127.0.0.1", port: Int(s.address.port))
}
private func encode(_ id: UInt16, _ q: DNSQuestion) -> [UInt8] {
    try! DNSMessage.query(id: id, question: q).encoded()
}

/// The pooled sockets' demultiplexing (RFC 5452 §9.1/§9.2): many queries share a socket, each must
/// get its own answer, and nothing but the server's reply with the query's ID and question counts.
@Suite struct UDPPoolTests {
    @Test func wrongIDAloneIsIgnored() async throws {
        let server = try await FakeDNSServer.start { q, _ in [reply(to: q, id: q.id &+ 1, answers: [aRecord(q.questions[0].name)])] }
        defer { Task { await server.stop() } }
        let pool = DNSUDPPool(group: MultiThreadedEventLoopGroup.singleton, socketsPerServer: 1)
        let q = DNSQuestion(name: n("a.example.test"), type: .a)
        let outcome = await pool.query(encode(7, q), id: 7, question: q, server: address(server), timeout: .milliseconds(200))
        guard case .timeout = outcome else { Issue.record("expected a timeout, got \(outcome)"); return }
        #expect(server.queries.count == 1)
    }

    @Test func wrongQuestionAloneIsIgnored() async throws {
        let server = try await FakeDNSServer.start { q, _ in
            [reply(to: q, question: DNSQuestion(name: n("other.example.test"), type: .a), answers: [aRecord(n("other.example.test"))])]
        }
        defer { Task { await server.stop() } }
        let pool = DNSUDPPool(group: MultiThreadedEventLoopGroup.singleton, socketsPerServer: 1)
        let q = DNSQuestion(name: n("a.example.test"), type: .a)
        let outcome = await pool.query(encode(9, q), id: 9, question: q, server: address(server), timeout: .milliseconds(200))
        guard case .timeout = outcome else { Issue.record("expected a timeout, got \(outcome)"); return }
    }

    /// A reply with the right ID and question but from another port than the server's is dropped.
    @Test func replyFromAnotherPortIsIgnored() async throws {
        let server = try await FakeDNSServer.start { _, _ in [] }  // the real server stays silent
        defer { Task { await server.stop() } }
        let rogue = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { rogue.close(promise: nil) }
        let pool = DNSUDPPool(group: MultiThreadedEventLoopGroup.singleton, socketsPerServer: 1)
        let q = DNSQuestion(name: n("a.example.test"), type: .a)
        let serverAddress = address(server)
        let pending = Task { await pool.query(encode(11, q), id: 11, question: q, server: serverAddress, timeout: .milliseconds(400)) }
        var waited = 0
        while server.queries.isEmpty && waited < 200 { try await Task.sleep(for: .milliseconds(5)); waited += 1 }
        let sent = try #require(server.queries.first)
        let forged = reply(to: sent.message, answers: [aRecord(q.name)])
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: sent.sourcePort)
        try await rogue.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: forged)))
        let outcome = await pending.value
        guard case .timeout = outcome else { Issue.record("expected a timeout, got \(outcome)"); return }
    }

    /// Many queries in flight on one socket, with a decoy reply (same ID, another question) before
    /// each real one: every query gets the answer to its own question. 64 queries (128 replies in a
    /// burst) stay inside the kernel's default UDP receive buffer (net.core.rmem_default, about
    /// 270 small datagrams): with 200 the burst overflowed it under load and replies were lost,
    /// which tests the kernel, not the demultiplexing. (The resolver retries lost replies.)
    @Test func concurrentQueriesOnOneSocketGetTheirOwnAnswers() async throws {
        let server = try await FakeDNSServer.start { q, _ in
            let decoy = DNSQuestion(name: n("decoy.example.test"), type: .a)
            return [reply(to: q, question: decoy, answers: [aRecord(decoy.name)]), reply(to: q, answers: [aRecord(q.questions[0].name)])]
        }
        defer { Task { await server.stop() } }
        let pool = DNSUDPPool(group: MultiThreadedEventLoopGroup.singleton, socketsPerServer: 1, queriesPerSocket: 10_000)
        let serverAddress = address(server)
        let results = await withTaskGroup(of: (DomainName, ExchangeOutcome).self) { group in
            for i in 0..<64 {
                group.addTask {
                    let q = DNSQuestion(name: n("q\(i).example.test"), type: .a)
                    let id = UInt16.random(in: 0...UInt16.max)
                    return (q.name, await pool.query(encode(id, q), id: id, question: q, server: serverAddress, timeout: .seconds(2)))
                }
            }
            var out: [(DomainName, ExchangeOutcome)] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 64)
        for (name, outcome) in results {
            guard case .reply(let m, _, _) = outcome else { Issue.record("\(name): \(outcome)"); continue }
            #expect(m.questions.first?.name == name)
            #expect(m.answers.map(\.name) == [name])
        }
        #expect(pool.opened == 1)
        #expect(Set(server.queries.filter { $0.transport == .udp }.map(\.sourcePort)).count <= 2)  // the pooled one (+1 on an ID clash)
    }

    /// Sockets are replaced after `queriesPerSocket` queries: new random ports come into use.
    @Test func socketsAreRotated() async throws {
        let server = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [aRecord(q.questions[0].name)])] }
        defer { Task { await server.stop() } }
        let pool = DNSUDPPool(group: MultiThreadedEventLoopGroup.singleton, socketsPerServer: 2, queriesPerSocket: 2)
        let q = DNSQuestion(name: n("a.example.test"), type: .a)
        for _ in 0..<12 {
            let id = UInt16.random(in: 0...UInt16.max)
            guard case .reply = await pool.query(encode(id, q), id: id, question: q, server: address(server), timeout: .seconds(2)) else {
                Issue.record("no reply"); return
            }
        }
        #expect(pool.opened >= 6)
        #expect(Set(server.queries.map(\.sourcePort)).count >= 6)
        #expect(await pool.localPorts(for: address(server)).count <= 2)
    }

    /// The handler's own checks, below the kernel's filtering of a connected socket: another
    /// address or port, an unknown ID and another question never complete the query.
    @Test func handlerDemultiplexesByAddressPortIDAndQuestion() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let pool = DNSUDPPool(group: group)
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: 5353)
        let socket = DNSUDPPool.Socket(loop: pool.loop)
        let handler = PooledUDPHandler(pool: pool, socket: socket, server: server)
        let q1 = DNSQuestion(name: n("one.example.test"), type: .a)
        let q2 = DNSQuestion(name: n("two.example.test"), type: .a)
        let m1 = DNSReplyMatcher(id: 1, question: q1, promise: pool.loop.makePromise(of: [UInt8].self))
        let m2 = DNSReplyMatcher(id: 2, question: q2, promise: pool.loop.makePromise(of: [UInt8].self))
        pool.lock.withLock { socket.pending[1] = m1; socket.pending[2] = m2 }
        func datagram(_ from: SocketAddress, _ bytes: [UInt8]) -> AddressedEnvelope<ByteBuffer> {
            AddressedEnvelope(remoteAddress: from, data: ByteBuffer(bytes: bytes))
        }
        let answer1 = reply(to: DNSMessage.query(id: 1, question: q1), answers: [aRecord(q1.name)])
        let answer2 = reply(to: DNSMessage.query(id: 2, question: q2), answers: [aRecord(q2.name)])
        #expect(!handler.deliver(datagram(try SocketAddress(ipAddress: "127.0.0.1", port: 5354), answer1)))  // another port
        #expect(!handler.deliver(datagram(try SocketAddress(ipAddress: "127.0.0.2", port: 5353), answer1)))  // another address
        #expect(!handler.deliver(datagram(server, reply(to: DNSMessage.query(id: 3, question: q1)))))        // an ID not in flight
        #expect(handler.deliver(datagram(server, reply(to: DNSMessage.query(id: 1, question: q2)))))         // ID 1, question of 2
        #expect(!m1.done && !m2.done && handler.dropped == 3)
        // The right replies, in the other order: each query gets its own.
        #expect(handler.deliver(datagram(server, answer2)))
        #expect(handler.deliver(datagram(server, answer1)))
        let got1 = try DNSMessage(decoding: try await m1.promise.futureResult.get())
        let got2 = try DNSMessage(decoding: try await m2.promise.futureResult.get())
        #expect(got1.id == 1 && got1.answers.map(\.name) == [q1.name])
        #expect(got2.id == 2 && got2.answers.map(\.name) == [q2.name])
    }
}
