import DNSWire
import Foundation
import MailCore
import NIOCore
import Testing
@testable import DNSClient

private func n(_ s: String) -> DomainName { try! DomainName(s) }
private let mx1 = DNSResourceRecord(name: n("example.test"), ttl: 300, data: .mx(MXRecord(preference: 10, exchange: n("mx1.example.test"))))

private func resolver(_ servers: [FakeDNSServer], timeout: Duration = .milliseconds(300), attempts: Int = 1,
                      rotate: Bool = false, cache: Bool = false) -> NetworkDNSResolver {
    NetworkDNSResolver(configuration: ResolverConfiguration(servers: servers.map(\.address), timeout: timeout,
                                                            attempts: attempts, rotate: rotate), cache: cache)
}

@Suite struct ResolverBehaviourTests {
    /// RFC 5452 §9.1: replies with another ID or another question are ignored; the right one wins.
    @Test func acceptsOnlyTheMatchingReply() async throws {
        let server = try await FakeDNSServer.start { q, _ in
            [reply(to: q, id: q.id &+ 1, answers: [mx1]),
             reply(to: q, question: DNSQuestion(name: n("other.test"), type: .mx), answers: [mx1]),
             reply(to: q, answers: [mx1])]
        }
        defer { Task { await server.stop() } }
        let a = await resolver([server]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(a.status == .answer)
        #expect(a.records == [mx1])
        #expect(a.traces.count == 1)
        #expect(a.traces[0].transport == .udp && a.traces[0].rcode == .noError && a.traces[0].answerCount == 1)
        #expect((a.traces[0].rttMicroseconds ?? -1) >= 0)
    }

    @Test func queryCarriesDOAndRDAndRandomIDsAndPorts() async throws {
        let server = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [mx1])] }
        defer { Task { await server.stop() } }
        let r = resolver([server])
        for _ in 0..<4 { _ = await r.resolve(DNSQuery(n("example.test"), .mx)) }
        let qs = server.queries
        #expect(qs.count == 4)
        #expect(qs.allSatisfy { $0.message.edns?.dnssecOK == true && $0.message.flags.contains(.recursionDesired) })
        #expect(Set(qs.map(\.message.id)).count > 1)
        #expect(Set(qs.map(\.sourcePort)).count > 1)
    }

    /// RFC 1035 §4.2.1 / RFC 7766 §5: TC over UDP → the same question over TCP.
    @Test func truncatedReplyRetriesOverTCP() async throws {
        let server = try await FakeDNSServer.start { q, t in
            t == .udp ? [reply(to: q, flags: [.response, .truncated, .recursionAvailable])] : [reply(to: q, answers: [mx1])]
        }
        defer { Task { await server.stop() } }
        let a = await resolver([server]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(a.status == .answer)
        #expect(a.traces.map(\.transport) == [.udp, .tcp])
        #expect(a.traces[0].flags?.contains(.truncated) == true)
        #expect(server.queries.map(\.transport) == [.udp, .tcp])
    }

    @Test func silentServerTimesOutThenNextServerAnswers() async throws {
        let silent = try await FakeDNSServer.start { _, _ in [] }
        let good = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [mx1])] }
        defer { Task { await silent.stop(); await good.stop() } }
        let a = await resolver([silent, good]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(a.status == .answer)
        #expect(a.server == good.address)
        #expect(a.traces.count == 2)
        #expect(a.traces[0].rcode == nil && a.traces[0].error?.contains("no reply") == true)
    }

    @Test func servfailMovesOnButNXDOMAINIsFinal() async throws {
        let failing = try await FakeDNSServer.start { q, _ in [reply(to: q, rcode: .servFail)] }
        let nx = try await FakeDNSServer.start { q, _ in [reply(to: q, rcode: .nxDomain)] }
        let good = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [mx1])] }
        defer { Task { await failing.stop(); await nx.stop(); await good.stop() } }
        let a = await resolver([failing, good]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(a.status == .answer && a.traces.count == 2)
        let b = await resolver([nx, good]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(b.status == .nxdomain && b.traces.count == 1)
        #expect(!b.status.isTemporaryFailure && b.status.isVoid)
        let c = await resolver([failing]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(c.status == .servfail && c.status.isTemporaryFailure)
        #expect(c.detail?.contains("SERVFAIL") == true)
    }

    @Test func nodataIsNotNXDOMAIN() async throws {
        let server = try await FakeDNSServer.start { q, _ in [reply(to: q)] }
        defer { Task { await server.stop() } }
        let a = await resolver([server]).resolve(DNSQuery(n("example.test"), .mx))
        #expect(a.status == .nodata)
    }

    @Test func allServersSilentIsATimeoutNamingThem() async throws {
        let s1 = try await FakeDNSServer.start { _, _ in [] }
        let s2 = try await FakeDNSServer.start { _, _ in [] }
        defer { Task { await s1.stop(); await s2.stop() } }
        let start = ContinuousClock.now
        let a = await resolver([s1, s2], timeout: .milliseconds(150), attempts: 2).resolve(DNSQuery(n("example.test"), .mx))
        let elapsed = ContinuousClock.now - start
        #expect(a.status == .timeout)
        #expect(a.traces.count == 4)
        #expect(a.detail?.contains(s1.address.description) == true && a.detail?.contains(s2.address.description) == true)
        // 4 tries × 150 ms; bounded, with room for a loaded two-core machine (3.4 s once in CI).
        #expect(elapsed < .seconds(5))
    }

    @Test func closedPortIsUnreachableNotTimeout() async throws {
        let s = try await FakeDNSServer.start { _, _ in [] }
        let address = s.address
        await s.stop()
        let r = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [address], timeout: .seconds(2), attempts: 2))
        let start = ContinuousClock.now
        let a = await r.resolve(DNSQuery(n("example.test"), .mx))
        #expect(a.status == .unreachable)
        #expect(a.detail?.contains(address.description) == true)
        #expect(a.detail?.contains("refused") == true)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func cacheAnswersRepeatsWithinTTL() async throws {
        let server = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [mx1])] }
        defer { Task { await server.stop() } }
        let r = resolver([server], cache: true)
        let a = await r.resolve(DNSQuery(n("example.test"), .mx))
        let b = await r.resolve(DNSQuery(n("example.test"), .mx))
        #expect(server.queries.count == 1)
        #expect(a.traces[0].transport == .udp)
        #expect(b.traces[0].transport == .cache && b.traces[0].server == server.address.description)
        #expect(b.records.first?.ttl ?? 0 <= 300)
        // A query aimed at a server bypasses the cache.
        _ = await r.resolve(DNSQuery(n("example.test"), .mx, server: server.address))
        #expect(server.queries.count == 2)
        #expect(server.queries[1].message.flags.contains(.recursionDesired) == false)
    }

    @Test func rotateSpreadsFirstTries() async throws {
        let s1 = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [mx1])] }
        let s2 = try await FakeDNSServer.start { q, _ in [reply(to: q, answers: [mx1])] }
        defer { Task { await s1.stop(); await s2.stop() } }
        let r = resolver([s1, s2], rotate: true)
        for _ in 0..<4 { _ = await r.resolve(DNSQuery(n("example.test"), .mx)) }
        #expect(s1.queries.count == 2 && s2.queries.count == 2)
    }
}

@Suite struct ResolvConfTests {
    @Test func parsesServersAndOptions() throws {
        let c = try ResolverConfiguration.parse(resolvConf: """
            # comment
            search corp.example
            nameserver 192.0.2.53
            nameserver 2001:db8::53 ; trailing comment
            options timeout:1 attempts:3 rotate ndots:2
            """)
        #expect(c.servers.map(\.description) == ["192.0.2.53:53", "[2001:db8::53]:53"])
        #expect(c.timeout == .seconds(1) && c.attempts == 3 && c.rotate)
    }

    @Test func defaultsAndBounds() throws {
        let c = try ResolverConfiguration.parse(resolvConf: "nameserver 127.0.0.1\noptions timeout:0 attempts:99")
        #expect(c.timeout == .seconds(1) && c.attempts == 5 && !c.rotate)
        let d = try ResolverConfiguration.parse(resolvConf: "")
        #expect(d.servers.isEmpty && d.timeout == .seconds(5) && d.attempts == 2)
    }

    @Test func badNameserverIsAnErrorWithLine() {
        #expect(throws: ResolverConfiguration.ParseError.self) {
            try ResolverConfiguration.parse(resolvConf: "nameserver 127.0.0.1\nnameserver dns.example")
        }
        do { _ = try ResolverConfiguration.parse(resolvConf: "\nnameserver dns.example") } catch {
            #expect(error.line == 2)
        }
    }

    @Test func noServersGivesAnActionableAnswer() async {
        let r = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [], source: "/etc/resolv.conf"))
        let a = await r.resolve(DNSQuery(n("example.test"), .a))
        #expect(a.status == .unreachable && a.detail?.contains("--resolver") == true)
    }
}
