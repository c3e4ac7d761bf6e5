import Foundation
import MailCore
import MailWire

/// Terminal rendering of `mxray login`: the verdict, the mechanism, the server's reply and
/// every step's time, with steps over `slowStep` marked.
public struct LoginTextRenderer: Sendable {
    public var showTranscript: Bool
    /// Users want every IMAP step under 2 s; slower ones are marked.
    public var slowStep: Double

    public init(showTranscript: Bool = false, slowStep: Double = 2000) {
        self.showTranscript = showTranscript
        self.slowStep = slowStep
    }

    public func render(_ l: LoginObservation) -> String {
        var out: [String] = []
        let target = "\(l.scheme)://\(l.user)@\(l.host ?? l.address):\(l.port)"
        switch l.status {
        case .authenticated: out.append("OK: logged in to \(target) with \(l.mechanism ?? "?")")
        case .rejected: out.append("FAILED: \(target) rejected the credentials (\(l.mechanism ?? "?"))")
        case .noCommonMechanism: out.append("FAILED: no usable authentication mechanism on \(target)")
        case .plaintextRefused: out.append("REFUSED: \(target) offers no TLS; the password was not sent")
        case .protocolFailure: out.append("ERROR: the dialogue with \(target) failed")
        case .connectFailed: out.append("ERROR: could not connect to \(target)")
        }
        if let r = l.serverReply { out.append("  server said: " + Transcript.printable(r, limit: 400)) }
        if let d = l.detail { out.append("  " + Transcript.printable(d, limit: 400)) }
        if let c = l.connect { out.append(String(format: "  connect     %@ %.1f ms", c.state.rawValue, c.milliseconds)) }
        if let t = l.tls {
            out.append("  TLS         \(t.mode.rawValue) \(t.version ?? "failed")"
                       + (t.chainVerified.map { $0 ? ", chain verified" : ", chain NOT verified" } ?? "")
                       + (t.nameMatches.map { $0 ? ", name matches" : ", name does NOT match" } ?? ""))
        }
        for s in l.steps {
            let mark = s.milliseconds > slowStep ? "  SLOW" : ""
            let name = Transcript.printable(s.name, limit: 40).padding(toLength: 30, withPad: " ", startingAt: 0)
            out.append("  " + name + String(format: "%9.1f ms  ", s.milliseconds) + Transcript.printable(s.result, limit: 80) + mark)
        }
        if let m = l.mailbox {
            if !m.mailboxes.isEmpty { out.append("  mailboxes   " + m.mailboxes.map { Transcript.printable($0, limit: 100) }.joined(separator: ", ")) }
            if let n = m.messages { out.append("  messages    \(n)" + (m.octets.map { " (\($0) octets)" } ?? "")) }
            for h in m.newestHeaders { out.append("  newest      " + Transcript.printable(h, limit: 200)) }
        }
        if showTranscript {
            out.append("  transcript:")
            out += l.transcript.rendered().split(separator: "\n").map { "    " + $0 }
        }
        return out.joined(separator: "\n")
    }
}
