/// A ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4; RFC 5246 §7.4.1.3).
public struct ServerHello: Sendable, Hashable {
    public let legacyVersion: TLSProtocolVersion
    public let random: [UInt8]
    public let sessionID: [UInt8]
    public let cipherSuite: UInt16
    public let compressionMethod: UInt8
    /// Extensions in the order sent; duplicates are rejected (RFC 8446 §4.2).
    public let extensions: [(type: UInt16, data: [UInt8])]

    /// RFC 8446 §4.1.3: an HRR is a ServerHello whose random is SHA-256("HelloRetryRequest").
    public static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    public var isHelloRetryRequest: Bool { random == Self.helloRetryRequestRandom }

    public func extensionData(_ type: UInt16) -> [UInt8]? { extensions.first { $0.type == type }?.data }
    public func has(_ type: UInt16) -> Bool { extensionData(type) != nil }

    /// The negotiated version: `supported_versions` when present (RFC 8446 §4.2.1), else legacy.
    public var negotiatedVersion: TLSProtocolVersion {
        if let d = extensionData(TLSExtensionType.supportedVersions), d.count == 2 {
            return TLSProtocolVersion(rawValue: UInt16(d[0]) << 8 | UInt16(d[1]))
        }
        return legacyVersion
    }

    /// The group of the key share: in an HRR the `selected_group` (2 octets), in a ServerHello
    /// the `KeyShareEntry.group` (RFC 8446 §4.2.8).
    public var keyShareGroup: UInt16? {
        guard let d = extensionData(TLSExtensionType.keyShare), d.count >= 2 else { return nil }
        return UInt16(d[0]) << 8 | UInt16(d[1])
    }

    /// RFC 5746 §3.6: a renegotiation_info extension in the ServerHello means secure renegotiation.
    public var secureRenegotiation: Bool { has(TLSExtensionType.renegotiationInfo) }

    public static func == (a: ServerHello, b: ServerHello) -> Bool {
        a.legacyVersion == b.legacyVersion && a.random == b.random && a.sessionID == b.sessionID
            && a.cipherSuite == b.cipherSuite && a.compressionMethod == b.compressionMethod
            && a.extensions.map(\.type) == b.extensions.map(\.type) && a.extensions.map(\.data) == b.extensions.map(\.data)
    }

    public func hash(into h: inout Hasher) {
        h.combine(random); h.combine(cipherSuite); h.combine(sessionID)
    }

    /// Parses the body of a handshake message of type server_hello.
    public static func parse(_ body: [UInt8]) throws(TLSWireError) -> ServerHello {
        var r = ByteReader(body)
        let version = TLSProtocolVersion(rawValue: try r.u16("ServerHello version"))
        let random = try r.bytes(32, "ServerHello random")
        let sid = try r.vector8("ServerHello session id")
        guard sid.count <= 32 else { throw .malformed("ServerHello session id longer than 32") }
        let suite = try r.u16("ServerHello cipher suite")
        let compression = try r.u8("ServerHello compression")
        var exts: [(type: UInt16, data: [UInt8])] = []
        if !r.isAtEnd {
            var e = try r.sub(Int(try r.u16("extensions length")), "extensions")
            while !e.isAtEnd {
                let type = try e.u16("extension type")
                let data = try e.vector16("extension data")
                if exts.contains(where: { $0.type == type }) { throw .malformed("duplicate extension \(type)") }
                exts.append((type, data))
            }
        }
        guard r.isAtEnd else { throw .malformed("trailing octets after ServerHello") }
        return ServerHello(legacyVersion: version, random: random, sessionID: sid, cipherSuite: suite,
                           compressionMethod: compression, extensions: exts)
    }
}

/// An alert (RFC 8446 §6).
public struct TLSAlert: Sendable, Hashable, Codable, CustomStringConvertible {
    public let level: UInt8
    public let alertDescription: UInt8

    public init(level: UInt8, description: UInt8) { self.level = level; self.alertDescription = description }

    public static func parse(_ fragment: [UInt8]) throws(TLSWireError) -> TLSAlert {
        // RFC 8446 §5.1: an alert record holds exactly one 2-octet alert.
        guard fragment.count == 2 else { throw .malformed("alert of \(fragment.count) octets") }
        return TLSAlert(level: fragment[0], description: fragment[1])
    }

    public static let handshakeFailure: UInt8 = 40
    public static let protocolVersion: UInt8 = 70
    public static let insufficientSecurity: UInt8 = 71
    public static let inappropriateFallback: UInt8 = 86

    public var name: String {
        switch alertDescription {
        case 0: return "close_notify"
        case 10: return "unexpected_message"
        case 20: return "bad_record_mac"
        case 22: return "record_overflow"
        case 40: return "handshake_failure"
        case 42: return "bad_certificate"
        case 47: return "illegal_parameter"
        case 50: return "decode_error"
        case 51: return "decrypt_error"
        case 70: return "protocol_version"
        case 71: return "insufficient_security"
        case 80: return "internal_error"
        case 86: return "inappropriate_fallback"
        case 90: return "user_canceled"
        case 109: return "missing_extension"
        case 110: return "unsupported_extension"
        case 112: return "unrecognized_name"
        case 120: return "no_application_protocol"
        default: return "alert(\(alertDescription))"
        }
    }

    public var description: String { (level == 2 ? "fatal " : "warning ") + name }
}
