/// A ClientHello as the scanner wants to send it: any versions, suites, groups and extensions,
/// including ones no real client would combine. `encodeRecord()` gives the bytes for the wire.
///
/// RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2:
/// ```
/// struct { ProtocolVersion legacy_version; Random random; opaque legacy_session_id<0..32>;
///          CipherSuite cipher_suites<2..2^16-2>; opaque legacy_compression_methods<1..2^8-1>;
///          Extension extensions<8..2^16-1>; } ClientHello;
/// ```
public struct ClientHello: Sendable, Hashable {
    /// `legacy_version` (the highest version for ≤1.2; 0x0303 for 1.3, RFC 8446 §4.1.2).
    public var legacyVersion: TLSProtocolVersion
    /// When non-empty, sent as `supported_versions` (RFC 8446 §4.2.1).
    public var supportedVersions: [TLSProtocolVersion] = []
    public var cipherSuites: [UInt16]
    /// Compression methods, 0 (null) must be present (RFC 5246 §7.4.1.2); 1 = DEFLATE (RFC 3749).
    public var compressionMethods: [UInt8] = [0]
    public var serverName: String?
    /// `supported_groups` (RFC 8422 §5.1.1, RFC 8446 §4.2.7).
    public var groups: [UInt16] = []
    /// Groups for which a key share is sent (RFC 8446 §4.2.8). Only X25519 shares are built:
    /// any 32 octets are a valid X25519 public key (RFC 7748 §5), which is all a scan needs.
    public var keyShareGroups: [UInt16] = []
    public var signatureAlgorithms: [UInt16] = ClientHello.defaultSignatureAlgorithms
    public var extendedMasterSecret = true
    public var renegotiationInfo = true
    public var statusRequest = true
    public var sessionTicket = true
    /// The ticket offered in session_ticket (empty: asks for a new one). RFC 5077 §3.2.
    public var sessionTicketData: [UInt8] = []
    public var random: [UInt8]
    public var sessionID: [UInt8] = []
    /// SSLv3 hellos carry no extensions (RFC 6101 §5.6.1.2 predates them).
    public var includeExtensions = true

    public init(legacyVersion: TLSProtocolVersion, cipherSuites: [UInt16], random: [UInt8]) {
        self.legacyVersion = legacyVersion
        self.cipherSuites = cipherSuites
        self.random = random
    }

    /// Every signature scheme in common use (RFC 8446 §4.2.3), legacy SHA-1 ones last.
    public static let defaultSignatureAlgorithms: [UInt16] = [
        0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
        0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
    ]

    /// The handshake message (type, 24-bit length, body).
    public func encodeHandshake() -> [UInt8] {
        var body: [UInt8] = []
        body.appendU16(legacyVersion.rawValue)
        body += random.count == 32 ? random : Array((random + [UInt8](repeating: 0, count: 32)).prefix(32))
        body.appendVector8(Array(sessionID.prefix(32)))
        var suites: [UInt8] = []
        for s in cipherSuites { suites.appendU16(s) }
        body.appendVector16(suites)
        body.appendVector8(compressionMethods.isEmpty ? [0] : compressionMethods)
        if includeExtensions { body.appendVector16(encodeExtensions()) }
        var msg: [UInt8] = [TLSHandshakeType.clientHello.rawValue]
        msg.appendU24(body.count)
        return msg + body
    }

    /// The hello in one record (record version 0x0301 for TLS, 0x0300 for SSLv3, as clients do
    /// for compatibility: RFC 8446 §5.1, RFC 5246 App. E.1). Fragments above 2^14 are split.
    public func encodeRecord() -> [UInt8] {
        let recordVersion: UInt16 = legacyVersion == .ssl3 ? 0x0300 : 0x0301
        return TLSRecord.encode(type: .handshake, version: recordVersion, payload: encodeHandshake())
    }

    func encodeExtensions() -> [UInt8] {
        var ext: [UInt8] = []
        func add(_ type: UInt16, _ data: [UInt8]) {
            ext.appendU16(type)
            ext.appendVector16(data)
        }
        if let name = serverName, !name.isEmpty, name.utf8.count < 256 {
            // RFC 6066 §3: server_name_list with one host_name entry.
            var entry: [UInt8] = [0]
            entry.appendVector16(Array(name.utf8))
            var list: [UInt8] = []
            list.appendVector16(entry)
            add(TLSExtensionType.serverName, list)
        }
        if !groups.isEmpty {
            var g: [UInt8] = []
            for x in groups { g.appendU16(x) }
            var data: [UInt8] = []
            data.appendVector16(g)
            add(TLSExtensionType.supportedGroups, data)
            add(TLSExtensionType.ecPointFormats, [1, 0])  // RFC 8422 §5.1.2: uncompressed
        }
        if !signatureAlgorithms.isEmpty && legacyVersion >= .tls12 {
            var s: [UInt8] = []
            for x in signatureAlgorithms { s.appendU16(x) }
            var data: [UInt8] = []
            data.appendVector16(s)
            add(TLSExtensionType.signatureAlgorithms, data)
        }
        if statusRequest { add(TLSExtensionType.statusRequest, [1, 0, 0, 0, 0]) }  // RFC 6066 §8: ocsp, no ids
        if extendedMasterSecret { add(TLSExtensionType.extendedMasterSecret, []) }  // RFC 7627 §5.1
        if sessionTicket { add(TLSExtensionType.sessionTicket, sessionTicketData) }  // RFC 5077 §3.2
        if renegotiationInfo { add(TLSExtensionType.renegotiationInfo, [0]) }  // RFC 5746 §3.4
        if !supportedVersions.isEmpty {
            var v: [UInt8] = []
            for x in supportedVersions { v.appendU16(x.rawValue) }
            var data: [UInt8] = []
            data.appendVector8(v)
            add(TLSExtensionType.supportedVersions, data)
            add(TLSExtensionType.pskKeyExchangeModes, [1, 1])  // RFC 8446 §4.2.9: psk_dhe_ke
            var shares: [UInt8] = []
            for g in keyShareGroups where g == NamedGroup.x25519 {
                shares.appendU16(g)
                shares.appendVector16(Self.x25519Share(random))
            }
            var data2: [UInt8] = []
            data2.appendVector16(shares)
            add(TLSExtensionType.keyShare, data2)
        }
        return ext
    }

    /// 32 octets derived from the random: a syntactically valid X25519 share (RFC 7748 §5).
    static func x25519Share(_ seed: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = (i < seed.count ? seed[i] : 0) ^ UInt8(truncatingIfNeeded: i &* 37 &+ 9) }
        return out
    }
}

/// Group code points the scanner treats specially.
public enum NamedGroup {
    public static let secp256r1: UInt16 = 0x0017
    public static let secp384r1: UInt16 = 0x0018
    public static let secp521r1: UInt16 = 0x0019
    public static let x25519: UInt16 = 0x001D
    public static let x448: UInt16 = 0x001E
    /// Post-quantum hybrids (draft-kwiatkowski-tls-ecdhe-mlkem, IANA "Supported Groups").
    public static let secP256r1MLKEM768: UInt16 = 0x11EB
    public static let x25519MLKEM768: UInt16 = 0x11EC
    public static let secP384r1MLKEM1024: UInt16 = 0x11ED
    public static let x25519Kyber768Draft00: UInt16 = 0x6399
    public static let mlkem512: UInt16 = 0x0200
    public static let mlkem768: UInt16 = 0x0201
    public static let mlkem1024: UInt16 = 0x0202

    public static let postQuantum: Set<UInt16> = [
        secP256r1MLKEM768, x25519MLKEM768, secP384r1MLKEM1024, x25519Kyber768Draft00, 0x639A,
        mlkem512, mlkem768, mlkem1024,
    ]

    public static func isPostQuantum(_ g: UInt16) -> Bool { postQuantum.contains(g) }
    /// RFC 7919 finite-field groups (0x0100–0x01FF).
    public static func isFFDHE(_ g: UInt16) -> Bool { g >> 8 == 0x01 }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    mutating func appendU24(_ v: Int) {
        append(UInt8((v >> 16) & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8(v & 0xFF))
    }
    mutating func appendVector8(_ d: [UInt8]) { append(UInt8(d.count)); append(contentsOf: d) }
    mutating func appendVector16(_ d: [UInt8]) { appendU16(UInt16(d.count)); append(contentsOf: d) }
}
