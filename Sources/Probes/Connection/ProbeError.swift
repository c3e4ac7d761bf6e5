import MailWire

/// Why a read or a step ended early. Each maps to a `SessionOutcome`.
public enum ProbeReadError: Error, Sendable, CustomStringConvertible {
    /// Nothing complete arrived before the deadline; `partial` tells whether some bytes did.
    case timeout(partialBytes: Int)
    case closedByPeer(bufferedBytes: Int)
    case decoding(MailWireDecodingError)
    /// More than the inbox bound arrived before we could consume it.
    case overflow
    case channel(String)
    case tls(String)
    case encoding(CommandEncodingError)
    case sasl(String)

    public var description: String {
        switch self {
        case .timeout(let n): return n > 0 ? "reply incomplete at the deadline (\(n) octets received)" : "no reply before the deadline"
        case .closedByPeer(let n): return n > 0 ? "connection closed by the peer mid-reply" : "connection closed by the peer"
        case .decoding(let e): return e.description
        case .overflow: return "the peer sent more than the read buffer holds"
        case .channel(let e): return "connection error: \(e)"
        case .tls(let e): return "TLS handshake failed: \(e)"
        case .encoding(let e): return "refused to send: \(e)"
        case .sasl(let e): return "SASL: \(e)"
        }
    }

    /// The session outcome this error means.
    public var outcome: SessionOutcome {
        switch self {
        case .timeout(let n): return n > 0 ? .stalled : .greetingTimeout
        case .closedByPeer: return .closedByPeer
        case .decoding, .overflow, .encoding, .sasl: return .protocolViolation
        case .channel: return .closedByPeer
        case .tls: return .tlsFailed
        }
    }
}
