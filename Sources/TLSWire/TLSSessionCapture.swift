/// What a server's side of a full TLS ≤1.2 handshake says about the session, read from the
/// records as they came off the wire (before the ChangeCipherSpec everything is in the clear):
/// the ServerHello's session id and suite, and a NewSessionTicket's ticket.
///
/// Used to offer the session again on a second connection (a resumption attempt). Memory is
/// bounded by `maxHandshakeBytes`; TLS 1.3 tickets are encrypted and never seen here.
public struct TLSSessionCapture: Sendable {
    public private(set) var serverHello: ServerHello?
    /// RFC 5077 §3.3: `opaque ticket<0..2^16-1>` of the NewSessionTicket message.
    public private(set) var ticket: [UInt8]?
    /// The server's ChangeCipherSpec arrived: later handshake records are encrypted.
    public private(set) var changedCipherSpec = false
    public private(set) var error: TLSWireError?
    public let maxHandshakeBytes: Int
    private var pending: [UInt8] = []

    public init(maxHandshakeBytes: Int = 256 * 1024) {
        self.maxHandshakeBytes = maxHandshakeBytes
    }

    public var isDone: Bool { changedCipherSpec || error != nil }

    /// Feeds one record from the server. Never throws: a failure is kept in `error`.
    public mutating func feed(_ record: TLSRecord) {
        guard !isDone else { return }
        do throws(TLSWireError) {
            switch record.contentType {
            case TLSContentType.changeCipherSpec.rawValue:
                changedCipherSpec = true
            case TLSContentType.handshake.rawValue:
                pending += record.fragment
                if pending.count > maxHandshakeBytes { throw .messageTooLarge(pending.count) }
                while let (type, body) = try ServerFlight.nextMessage(&pending, max: maxHandshakeBytes) {
                    switch type {
                    case TLSHandshakeType.serverHello.rawValue:
                        guard serverHello == nil else { throw .unexpected("second ServerHello") }
                        serverHello = try ServerHello.parse(body)
                    case TLSHandshakeType.newSessionTicket.rawValue:
                        // RFC 5077 §3.3: sent after the ServerHello, before the ChangeCipherSpec.
                        guard serverHello != nil else { throw .unexpected("NewSessionTicket before ServerHello") }
                        ticket = try Self.parseNewSessionTicket(body)
                    default:
                        if serverHello == nil { throw .unexpected("handshake message \(type) before ServerHello") }
                    }
                }
            case TLSContentType.alert.rawValue:
                throw .unexpected("alert \(try TLSAlert.parse(record.fragment).description)")
            default:
                throw .unexpected("record type \(record.contentType) before ChangeCipherSpec")
            }
        } catch {
            self.error = error
        }
    }

    /// RFC 5077 §3.3: `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>;`
    public static func parseNewSessionTicket(_ body: [UInt8]) throws(TLSWireError) -> [UInt8] {
        var r = ByteReader(body)
        _ = try r.bytes(4, "ticket_lifetime_hint")
        let ticket = try r.vector16("ticket")
        guard r.isAtEnd else { throw .malformed("trailing octets after the NewSessionTicket") }
        return ticket
    }
}
