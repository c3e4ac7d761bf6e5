import Foundation
import MailCore
import MailWire
import NIOCore
import NIOPosix

/// One TCP connect timed: how long until SYN-ACK or RST, or that nothing came back in time.
public struct ConnectTiming: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        case open, reset, timeout, unreachable, error
    }
    /// Milliseconds after the run started at which connect() was called.
    public var startMilliseconds: Double
    public var milliseconds: Double
    public var outcome: Outcome
    public var detail: String?
}

public struct ConnectTimingOptions: Sendable {
    public var count = 60
    /// Connects in flight at once. Each is a separate SYN, so concurrency changes only how long
    /// the run takes, not what one sample measures.
    public var concurrency = 6
    /// Pause between the start of one connect and the next in one lane (keeps the sampling rate low).
    public var interval: TimeAmount = .milliseconds(50)
    /// Long enough to see SYN retransmissions: with the 1 s initial RTO (RFC 6298 §2.1) and
    /// doubling (§5.5), SYNs leave at 0, 1, 3 and 7 s; 8 s sees the first three retries.
    public var timeout: TimeAmount = .seconds(8)
    /// Read the SMTP greeting on the first open connect to tell server delay from path delay.
    public var readBanner = true
    public var bannerTimeout: TimeAmount = .seconds(10)

    public init() {}
}

/// The path sampler: many plain TCP connects to one address and port, each timed from connect()
/// to the kernel's answer. A SYN-ACK (open) and a RST (refused) both mean the SYN and the answer
/// crossed the path; a connect answered after one or more SYN retransmissions shows loss.
/// Connections are closed at once (no data) except the one used for the banner.
public struct ConnectTimingSampler: Sendable {
    public var options: ConnectTimingOptions
    let group: any EventLoopGroup

    public init(options: ConnectTimingOptions = ConnectTimingOptions(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.options = options
        self.group = group
    }

    public struct Result: Sendable {
        public var timings: [ConnectTiming]
        /// Milliseconds from the end of the TCP handshake to the complete SMTP greeting line(s).
        public var bannerMilliseconds: Double?
        public var bannerText: String?
        public var transcript: Transcript?
    }

    /// Linux's `net.ipv4.tcp_syn_linear_timeouts` (6.5+): SYN retransmissions at the initial
    /// RTO before doubling begins; 0 where the setting does not exist (RFC 6298 doubling).
    public static func synLinearTimeouts(path: String = "/proc/sys/net/ipv4/tcp_syn_linear_timeouts") -> Int {
        readSysctl(path) ?? 0
    }

    /// `net.ipv4.tcp_syn_retries`: how many times the kernel retransmits a SYN (6 by default).
    public static func synRetries(path: String = "/proc/sys/net/ipv4/tcp_syn_retries") -> Int {
        readSysctl(path) ?? 6
    }

    static func readSysctl(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func run(address: String, port: Int) async -> Result {
        let stopwatch = Stopwatch()
        let count = max(1, options.count)
        let lanes = max(1, min(options.concurrency, count))
        let timings = await withTaskGroup(of: [ConnectTiming].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var out: [ConnectTiming] = []
                    var i = lane
                    while i < count {
                        out.append(await one(address: address, port: port, stopwatch: stopwatch))
                        try? await Task.sleep(nanoseconds: UInt64(max(0, options.interval.nanoseconds)))
                        i += lanes
                    }
                    return out
                }
            }
            var all: [ConnectTiming] = []
            for await part in group { all += part }
            return all.sorted { $0.startMilliseconds < $1.startMilliseconds }
        }
        var result = Result(timings: timings)
        if options.readBanner, timings.contains(where: { $0.outcome == .open }) {
            await readBanner(address: address, port: port, into: &result)
        }
        return result
    }

    func one(address: String, port: Int, stopwatch: Stopwatch) async -> ConnectTiming {
        let start = stopwatch.milliseconds
        let (connection, observation, _) = await ProbeConnection.connect(
            address: address, port: port, group: group, timeout: options.timeout, label: "path", stopwatch: stopwatch)
        if let connection { connection.abort() }
        let outcome: ConnectTiming.Outcome
        switch observation.state {
        case .open: outcome = .open
        case .refused: outcome = .reset
        case .filtered: outcome = .timeout
        case .unreachable: outcome = .unreachable
        default: outcome = .error
        }
        return ConnectTiming(startMilliseconds: start, milliseconds: observation.milliseconds, outcome: outcome,
                             detail: observation.detail)
    }

    /// Times the greeting (RFC 5321 §4.3.1: the server speaks first, 220 or 554) after the
    /// handshake: a slow greeting on a fast path is the server's delay.
    func readBanner(address: String, port: Int, into result: inout Result) async {
        let stopwatch = Stopwatch()
        let (connection, observation, transcript) = await ProbeConnection.connect(
            address: address, port: port, group: group, timeout: options.timeout, label: "banner", stopwatch: stopwatch)
        guard let connection else { result.transcript = transcript; return }
        let connected = stopwatch.milliseconds
        var decoder = SMTPReplyDecoder()
        do {
            let reply = try await connection.read(&decoder, deadline: .now() + options.bannerTimeout)
            result.bannerMilliseconds = stopwatch.milliseconds - connected
            result.bannerText = "\(reply.code) " + (reply.lines.first ?? "")
        } catch {
            connection.note("no greeting: \(error.description)")
        }
        _ = observation
        await connection.close()
        result.transcript = connection.transcript
    }
}
