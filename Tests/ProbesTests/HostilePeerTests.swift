import Diagnosis
import MailWire
import NIOCore
import Testing
@testable import Probes

/// Hostile and broken peers: each session must end within its deadline with a finding,
/// never hang or grow without bound.
@Suite(.serialized) struct HostilePeerTests {
    func options(greeting: TimeAmount = .seconds(3), overall: TimeAmount = .seconds(15)) throws -> ProbeOptions {
        var o = ProbeOptions(tls: try ProbeTLSSettings())
        o.greetingTimeout = greeting
        o.commandTimeout = .seconds(3)
        o.tlsTimeout = .seconds(3)
        o.connectTimeout = .seconds(2)
        o.overallTimeout = overall
        return o
    }

    /// Probes `peer` as SMTP (or as `port`'s service when a port is given) and returns the
    /// observation, the finding ids and the seconds it took.
    func probe(_ peer: FakePeer, options: ProbeOptions, as service: MailService = .smtp) async -> (PortObservation, [String], Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let obs = await MailProber(options: options).probePort(ProbeTarget(address: "127.0.0.1", host: "fake.test"), port: peer.port, as: service)
        let seconds = Double((clock.now - start).components.seconds) + Double((clock.now - start).components.attoseconds) / 1e18
        return (obs, ProbeAnalysis.analyse([obs]).findings.map(\.id), seconds)
    }

    @Test func endlessMultiLineReplyEndsAtTheReplyBound() async throws {
        let peer = try await FakePeer.start(.init(onConnect: { c in
            c.flood(ByteBuffer(string: String(repeating: "220-we never stop talking\r\n", count: 2000)), total: 50_000_000)
        }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options())
        #expect(obs.outcome == .protocolViolation)
        #expect(obs.outcomeDetail?.contains("larger than 1048576") == true)
        #expect(ids.contains("probe.protocol-violation"))
        #expect(seconds < 10)
    }

    @Test func tenMegabyteLineEndsAtTheLineBound() async throws {
        let peer = try await FakePeer.start(.init(onConnect: { c in
            c.send("220 ")
            c.flood(ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20), total: 10 << 20)
        }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options())
        #expect(obs.outcome == .protocolViolation)
        #expect(obs.outcomeDetail?.contains("longer than 65536") == true)
        #expect(ids.contains("probe.protocol-violation"))
        #expect(seconds < 10)
    }

    @Test func aByteASecondIsAStallNotAHang() async throws {
        let peer = try await FakePeer.start(.init(onConnect: { c in
            c.drip("220 slowly but surely\r\n", interval: .seconds(1))
        }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options(greeting: .seconds(3)))
        #expect(obs.outcome == .stalled)
        #expect(obs.couldNotTest)
        #expect(ids == ["probe.inconclusive"])
        #expect(seconds >= 2.9 && seconds < 6)
    }

    @Test func silentGreetingIsCouldNotTestNotFiltered() async throws {
        let peer = try await FakePeer.start(.init())
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options(greeting: .seconds(1)))
        #expect(obs.connect.state == .open)
        #expect(obs.outcome == .greetingTimeout)
        #expect(obs.couldNotTest)
        #expect(ids == ["probe.inconclusive"])
        #expect(seconds < 4)
    }

    @Test func greeting421And554AreToldApart() async throws {
        let busy = try await FakePeer.start(.init(onConnect: { $0.send("421 4.7.0 too busy, try later\r\n") }))
        let no = try await FakePeer.start(.init(onConnect: { $0.send("554 5.7.1 no SMTP service here\r\n") }))
        let closing = try await FakePeer.start(.init(onConnect: { $0.close() }))
        defer { Task { await busy.stop(); await no.stop(); await closing.stop() } }
        let (b, bIDs, _) = await probe(busy, options: try options())
        #expect(b.outcome == .temporarilyRefused && b.couldNotTest && bIDs == ["probe.inconclusive"])
        let (n, nIDs, _) = await probe(no, options: try options())
        #expect(n.outcome == .greetingRejected && !n.couldNotTest && nIDs == ["probe.greeting.rejected"])
        let (c, cIDs, _) = await probe(closing, options: try options())
        #expect(c.outcome == .closedByPeer && cIDs == ["probe.closed-by-peer"])
    }

    static func startTLSPeer(afterGo: @escaping @Sendable (FakeConnection) -> Void,
                             onRaw: @escaping @Sendable ([UInt8], FakeConnection) -> Void) -> FakePeer.Script {
        FakePeer.Script(
            onConnect: { $0.send("220 fake.test ESMTP\r\n") },
            onLine: { line, c in
                if line.uppercased().hasPrefix("EHLO") { c.send("250-fake.test\r\n250 STARTTLS\r\n") }
                else if line.uppercased() == "STARTTLS" { c.send("220 2.0.0 go ahead\r\n"); c.switchToRaw(); afterGo(c) }
                else { c.send("250 ok\r\n") }
            },
            onRaw: onRaw)
    }

    @Test func closeMidTLSHandshake() async throws {
        let peer = try await FakePeer.start(Self.startTLSPeer(afterGo: { _ in }, onRaw: { bytes, c in
            // A ClientHello starts with 0x16 0x03: answer half a ServerHello, then hang up.
            if bytes.first == 0x16 { c.send([0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00]); c.close() }
        }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options())
        #expect(obs.outcome == .tlsFailed)
        #expect(obs.tls?.error != nil)
        #expect(ids.contains("probe.tls.failed"))
        #expect(seconds < 8)
    }

    @Test func garbageAfterSTARTTLS() async throws {
        let peer = try await FakePeer.start(Self.startTLSPeer(afterGo: { c in
            c.send("this is not TLS at all, just text\r\n")
        }, onRaw: { _, _ in }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options())
        #expect(obs.outcome == .tlsFailed)
        #expect(ids.contains("probe.tls.failed"))
        #expect(seconds < 8)
    }

    @Test func tlsThatNeverAnswersEndsAtTheTLSDeadline() async throws {
        let peer = try await FakePeer.start(Self.startTLSPeer(afterGo: { _ in }, onRaw: { _, _ in }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options())
        #expect(obs.outcome == .tlsFailed)
        #expect(ids.contains("probe.tls.failed"))
        #expect(seconds >= 2.9 && seconds < 8)
    }

    @Test func imapLiteralBombAndPOP3EndlessCAPA() async throws {
        // IMAP: a literal announced far over the bound ends the session before any of it is read.
        let imap = try await FakePeer.start(.init(
            onConnect: { $0.send("* OK fake IMAP ready\r\n") },
            onLine: { line, c in
                if line.hasSuffix("CAPABILITY") {
                    c.send("* CAPABILITY IMAP4rev1 {999999999}\r\n")
                    c.flood(ByteBuffer(repeating: 0x41, count: 1 << 16), total: 4 << 20)
                }
            }))
        // POP3: a CAPA answer that never ends with "." grows to the reply bound.
        let pop = try await FakePeer.start(.init(
            onConnect: { $0.send("+OK fake POP3 ready\r\n") },
            onLine: { line, c in
                if line == "CAPA" {
                    c.send("+OK\r\n")
                    c.flood(ByteBuffer(string: String(repeating: "X-ENDLESS-CAPABILITY\r\n", count: 1000)), total: 20 << 20)
                }
            }))
        defer { Task { await imap.stop(); await pop.stop() } }
        let o = try options()
        let clock = ContinuousClock()
        let start = clock.now
        let i = await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1"), port: imap.port, as: .imap)
        #expect(i.outcome == .protocolViolation)
        #expect(i.outcomeDetail?.contains("literal of 999999999 octets") == true)
        let p = await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1"), port: pop.port, as: .pop3)
        #expect(p.outcome == .protocolViolation)
        #expect(p.outcomeDetail?.contains("larger than 1048576") == true)
        #expect(ProbeAnalysis.analyse([i, p]).findings.map(\.id) == ["probe.protocol-violation", "probe.protocol-violation"])
        #expect(clock.now - start < .seconds(8))
    }

    @Test func endlessUntaggedIMAPDataIsBounded() async throws {
        let peer = try await FakePeer.start(.init(
            onConnect: { $0.send("* OK fake IMAP ready\r\n") },
            onLine: { line, c in
                if line.hasSuffix("CAPABILITY") {
                    c.flood(ByteBuffer(string: "* OK " + String(repeating: "u", count: 60_000) + "\r\n"), total: 64 << 20)
                }
            }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options(), as: .imap)
        #expect(obs.outcome == .protocolViolation)
        // Whichever bound trips first: the 4 MiB inbox or the 8 MiB of untagged data per command.
        let detail = obs.outcomeDetail ?? ""
        #expect(detail.contains("larger than 8388608") || detail.contains("more than the read buffer holds"), "\(detail)")
        #expect(ids == ["probe.protocol-violation"])
        #expect(seconds < 10)
    }

    @Test func overallDeadlineCapsEverything() async throws {
        let peer = try await FakePeer.start(.init(onConnect: { c in c.drip("220 x\r\n", interval: .seconds(5)) }))
        defer { Task { await peer.stop() } }
        let (obs, ids, seconds) = await probe(peer, options: try options(greeting: .seconds(30), overall: .seconds(2)))
        #expect(obs.outcome == .deadlineExceeded)
        #expect(ids == ["probe.inconclusive"])
        #expect(seconds < 4)
    }
}
