/// What the server sent in answer to one ClientHello, read record by record until the scanner
/// knows enough: ServerHello or HRR (and for TLS ≤1.2 the Certificate, ServerKeyExchange and
/// ServerHelloDone), an alert, or something that is not TLS.
///
/// Memory is bounded: at most `maxHandshakeBytes` of handshake data are buffered.
public struct ServerFlight: Sendable {
    public enum State: Sendable, Hashable {
        case needMore
        /// A ServerHello or HRR (and, when asked for, the rest of a TLS ≤1.2 flight) arrived.
        case complete
        case alert(TLSAlert)
        case failed(TLSWireError)
    }

    public private(set) var state: State = .needMore
    public private(set) var serverHello: ServerHello?
    /// TLS ≤1.2 Certificate message: DER certificates as sent (RFC 5246 §7.4.2).
    public private(set) var certificates: [[UInt8]] = []
    /// TLS ≤1.2 ServerKeyExchange: the ECDHE named group (RFC 8422 §5.4) or the DHE prime's bits.
    public private(set) var keyExchangeGroup: UInt16?
    public private(set) var dhPrimeBits: Int?
    /// TLS ≤1.2 CertificateStatus seen (OCSP staple, RFC 6066 §8).
    public private(set) var ocspStapled = false
    public private(set) var records = 0

    /// Whether to keep reading after the ServerHello for the rest of a TLS ≤1.2 flight.
    public var wantFullFlight: Bool
    public let maxHandshakeBytes: Int
    private var pending: [UInt8] = []

    public init(wantFullFlight: Bool = false, maxHandshakeBytes: Int = 256 * 1024) {
        self.wantFullFlight = wantFullFlight
        self.maxHandshakeBytes = maxHandshakeBytes
    }

    public var isDone: Bool { state != .needMore }

    /// Feeds one record; returns the new state. Never throws: failures become `.failed`.
    @discardableResult
    public mutating func feed(_ record: TLSRecord) -> State {
        guard state == .needMore else { return state }
        records += 1
        do throws(TLSWireError) {
            switch record.contentType {
            case TLSContentType.alert.rawValue:
                state = .alert(try TLSAlert.parse(record.fragment))
            case TLSContentType.handshake.rawValue:
                pending += record.fragment
                if pending.count > maxHandshakeBytes { throw .messageTooLarge(pending.count) }
                try drainMessages()
            case TLSContentType.changeCipherSpec.rawValue:
                // RFC 8446 §D.4: middlebox-compatibility CCS; ignore.
                break
            case TLSContentType.applicationData.rawValue:
                // Encrypted TLS 1.3 handshake: nothing more to read in the clear.
                if serverHello != nil { state = .complete } else { throw .unexpected("application data before ServerHello") }
            default:
                throw .unexpected("record type \(record.contentType)")
            }
        } catch {
            state = .failed(error)
        }
        return state
    }

    private mutating func drainMessages() throws(TLSWireError) {
        while let (type, body) = try Self.nextMessage(&pending, max: maxHandshakeBytes) {
            try handle(type: type, body: body)
            if state != .needMore { return }
        }
    }

    /// Takes one whole handshake message (RFC 8446 §4: type, uint24 length, body) off the
    /// front of `pending`; nil until one is whole. Messages span records, so callers keep
    /// `pending` across records.
    static func nextMessage(_ pending: inout [UInt8], max: Int) throws(TLSWireError) -> (type: UInt8, body: [UInt8])? {
        guard pending.count >= 4 else { return nil }
        let length = Int(pending[1]) << 16 | Int(pending[2]) << 8 | Int(pending[3])
        if length > max { throw .messageTooLarge(length) }
        guard pending.count >= 4 + length else { return nil }
        let message = (pending[0], Array(pending[4..<4 + length]))
        pending.removeFirst(4 + length)
        return message
    }

    private mutating func handle(type: UInt8, body: [UInt8]) throws(TLSWireError) {
        switch type {
        case TLSHandshakeType.serverHello.rawValue:
            guard serverHello == nil else { throw .unexpected("second ServerHello") }
            let sh = try ServerHello.parse(body)
            serverHello = sh
            if sh.isHelloRetryRequest || sh.negotiatedVersion >= .tls13 || !wantFullFlight { state = .complete }
        case TLSHandshakeType.certificate.rawValue:
            guard serverHello != nil else { throw .unexpected("Certificate before ServerHello") }
            certificates = try Self.parseCertificateList(body)
        case TLSHandshakeType.certificateStatus.rawValue:
            ocspStapled = true
        case TLSHandshakeType.serverKeyExchange.rawValue:
            guard let sh = serverHello else { throw .unexpected("ServerKeyExchange before ServerHello") }
            let kx = IANATables.traits(sh.cipherSuite).keyExchange
            try parseServerKeyExchange(body, keyExchange: kx)
        case TLSHandshakeType.serverHelloDone.rawValue, TLSHandshakeType.certificateRequest.rawValue:
            guard serverHello != nil else { throw .unexpected("message \(type) before ServerHello") }
            if type == TLSHandshakeType.serverHelloDone.rawValue { state = .complete }
        default:
            if serverHello == nil { throw .unexpected("handshake message \(type) before ServerHello") }
        }
    }

    /// RFC 5246 §7.4.2: `opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>;`
    public static func parseCertificateList(_ body: [UInt8]) throws(TLSWireError) -> [[UInt8]] {
        var r = ByteReader(body)
        var list = try r.sub(try r.u24("certificate_list length"), "certificate_list")
        guard r.isAtEnd else { throw .malformed("trailing octets after certificate_list") }
        var certs: [[UInt8]] = []
        while !list.isAtEnd {
            let n = try list.u24("certificate length")
            guard n >= 1 else { throw .malformed("empty certificate") }
            certs.append(try list.bytes(n, "certificate"))
            if certs.count > 32 { throw .malformed("more than 32 certificates") }
        }
        return certs
    }

    /// RFC 8422 §5.4 (ECParameters: curve_type 3 = named_curve, then NamedCurve) and
    /// RFC 5246 §7.4.3 (ServerDHParams: dh_p<1..2^16-1>, …).
    mutating func parseServerKeyExchange(_ body: [UInt8], keyExchange: String) throws(TLSWireError) {
        var r = ByteReader(body)
        if keyExchange.hasPrefix("ECDHE") {
            let curveType = try r.u8("ECParameters curve_type")
            guard curveType == 3 else { throw .malformed("ECParameters curve_type \(curveType) (only named_curve is allowed, RFC 8422 §5.4)") }
            keyExchangeGroup = try r.u16("NamedCurve")
        } else if keyExchange.hasPrefix("DHE") {
            let p = try r.vector16("dh_p")
            let leading = p.first(where: { $0 != 0 }).map { 8 - (Int($0).leadingZeroBitCount - (Int.bitWidth - 8)) } ?? 0
            let zeros = p.prefix(while: { $0 == 0 }).count
            dhPrimeBits = p.count == zeros ? 0 : (p.count - zeros - 1) * 8 + leading
        }
    }
}
