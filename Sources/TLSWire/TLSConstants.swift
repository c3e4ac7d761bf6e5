/// Protocol versions as they appear on the wire (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2, RFC 6101).
public struct TLSProtocolVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ssl3 = TLSProtocolVersion(rawValue: 0x0300)
    public static let tls10 = TLSProtocolVersion(rawValue: 0x0301)
    public static let tls11 = TLSProtocolVersion(rawValue: 0x0302)
    public static let tls12 = TLSProtocolVersion(rawValue: 0x0303)
    public static let tls13 = TLSProtocolVersion(rawValue: 0x0304)
    /// Every version the scanner tests, oldest first.
    public static let scanned: [TLSProtocolVersion] = [.ssl3, .tls10, .tls11, .tls12, .tls13]

    public var description: String {
        switch rawValue {
        case 0x0300: return "SSLv3"
        case 0x0301: return "TLSv1.0"
        case 0x0302: return "TLSv1.1"
        case 0x0303: return "TLSv1.2"
        case 0x0304: return "TLSv1.3"
        default: return hex4(rawValue)
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = Self.scanned.first(where: { $0.description == s }) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown version \(s)")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Record content types (RFC 8446 §5.1).
public enum TLSContentType: UInt8, Sendable {
    case changeCipherSpec = 20, alert = 21, handshake = 22, applicationData = 23
}

/// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
public enum TLSHandshakeType: UInt8, Sendable {
    case clientHello = 1, serverHello = 2, newSessionTicket = 4, encryptedExtensions = 8
    case certificate = 11, serverKeyExchange = 12, certificateRequest = 13, serverHelloDone = 14
    case certificateStatus = 22
}

/// Extension code points (IANA "TLS ExtensionType Values").
public enum TLSExtensionType {
    public static let serverName: UInt16 = 0
    public static let statusRequest: UInt16 = 5
    public static let supportedGroups: UInt16 = 10
    public static let ecPointFormats: UInt16 = 11
    public static let signatureAlgorithms: UInt16 = 13
    public static let alpn: UInt16 = 16
    public static let extendedMasterSecret: UInt16 = 23
    public static let sessionTicket: UInt16 = 35
    public static let supportedVersions: UInt16 = 43
    public static let pskKeyExchangeModes: UInt16 = 45
    public static let keyShare: UInt16 = 51
    public static let renegotiationInfo: UInt16 = 0xFF01
}

/// Signaling cipher suite values that are not real suites.
public enum TLSSCSV {
    /// RFC 5746 §3.3.
    public static let emptyRenegotiationInfo: UInt16 = 0x00FF
    /// RFC 7507 §2.
    public static let fallback: UInt16 = 0x5600
}

/// `0x00FF`-style hex of a 16-bit code point.
func hex4(_ v: UInt16) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String([digits[Int(v >> 12) & 15], digits[Int(v >> 8) & 15], digits[Int(v >> 4) & 15], digits[Int(v) & 15]])
}
