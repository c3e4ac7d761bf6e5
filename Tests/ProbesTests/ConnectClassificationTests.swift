#if canImport(Glibc)
import Glibc
#endif
import MailWire
import NIOCore
import Testing
@testable import Probes

/// Connect errors map to the four states (the lab covers filtered and refused for real; ICMP
/// unreachable cannot be produced on loopback, so the mapping is checked here).
@Suite struct ConnectClassificationTests {
    @Test func errnoAndTimeoutMapping() {
        #expect(ProbeConnection.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect"), milliseconds: 1).state == .refused)
        #expect(ProbeConnection.classify(IOError(errnoCode: EHOSTUNREACH, reason: "connect"), milliseconds: 1).state == .unreachable)
        #expect(ProbeConnection.classify(IOError(errnoCode: ENETUNREACH, reason: "connect"), milliseconds: 1).state == .unreachable)
        #expect(ProbeConnection.classify(IOError(errnoCode: ETIMEDOUT, reason: "connect"), milliseconds: 1).state == .filtered)
        #expect(ProbeConnection.classify(ChannelError.connectTimeout(.seconds(2)), milliseconds: 2000).state == .filtered)
        #expect(ProbeConnection.classify(IOError(errnoCode: EACCES, reason: "connect"), milliseconds: 1).state == .error)
    }

    @Test func couldNotTestIsNotFail() {
        var o = PortObservation(address: "192.0.2.1", host: "mx.example", port: 25, service: .smtp,
                                connect: ConnectObservation(state: .open, milliseconds: 1), transcript: .init(label: "t"))
        for outcome in [SessionOutcome.greetingTimeout, .stalled, .deadlineExceeded, .temporarilyRefused] {
            o.outcome = outcome
            #expect(o.couldNotTest, "\(outcome)")
        }
        for outcome in [SessionOutcome.completed, .greetingRejected, .closedByPeer, .protocolViolation, .tlsFailed] {
            o.outcome = outcome
            #expect(!o.couldNotTest, "\(outcome)")
        }
        #expect(o.subject == "mx.example[192.0.2.1]:25")
    }

    @Test func sniAndHostnameMatching() {
        #expect(ProbeConnection.usableSNI("mx1.example.org.") == "mx1.example.org")
        #expect(ProbeConnection.usableSNI("192.0.2.1") == nil)
        #expect(ProbeConnection.usableSNI("2001:db8::1") == nil)
        #expect(HostnameMatch.matches("mx1.example.org", names: ["*.example.org"]))
        #expect(!HostnameMatch.matches("a.b.example.org", names: ["*.example.org"]))
        #expect(!HostnameMatch.matches("example.org", names: ["*.org"]))
        #expect(HostnameMatch.matches("MX1.Example.org", names: ["mx1.example.org"]))
        #expect(!HostnameMatch.matches("mx-real.broken.lab.test", names: ["wrong-name.example.net"]))
    }
}
