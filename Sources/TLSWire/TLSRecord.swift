import NIOCore

/// Why TLS bytes could not be parsed. "Need more bytes" is not an error (decoders return nil).
public enum TLSWireError: Error, Sendable, Hashable, CustomStringConvertible {
    case notTLS(firstByte: UInt8)
    case recordTooLarge(Int)
    case messageTooLarge(Int)
    case truncated(String)
    case malformed(String)
    case unexpected(String)

    public var description: String {
        switch self {
        case .notTLS(let b): return "not a TLS record (first octet 0x\(String(b, radix: 16)))"
        case .recordTooLarge(let n): return "record of \(n) octets exceeds 2^14+2048 (RFC 5246 §6.2.3)"
        case .messageTooLarge(let n): return "handshake message of \(n) octets exceeds the scanner's bound"
        case .truncated(let what): return "truncated \(what)"
        case .malformed(let what): return "malformed \(what)"
        case .unexpected(let what): return "unexpected \(what)"
        }
    }
}

/// One TLS record (RFC 8446 §5.1: type, legacy_record_version, length, fragment).
public struct TLSRecord: Sendable, Hashable {
    public let contentType: UInt8
    public let version: UInt16
    public let fragment: [UInt8]

    /// RFC 5246 §6.2.3: TLSCiphertext.length ≤ 2^14 + 2048.
    public static let maxFragment = 16384 + 2048

    public static func encode(type: TLSContentType, version: UInt16, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        repeat {
            let chunk = payload[offset..<min(payload.count, offset + 16384)]
            out.append(type.rawValue)
            out.appendU16(version)
            out.appendU16(UInt16(chunk.count))
            out += chunk
            offset += 16384
        } while offset < payload.count
        return out
    }
}

/// Splits a byte stream into records. A first octet that is no content type means the peer
/// does not speak TLS here (an SMTP error line, an HTTP answer…).
public struct TLSRecordDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = TLSRecord
    public init() {}

    public mutating func decode(buffer: inout ByteBuffer) throws -> TLSRecord? {
        guard buffer.readableBytes >= 5, let header = buffer.getBytes(at: buffer.readerIndex, length: 5) else {
            if let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), !(20...24).contains(first) {
                throw TLSWireError.notTLS(firstByte: first)
            }
            return nil
        }
        guard (20...24).contains(header[0]) else { throw TLSWireError.notTLS(firstByte: header[0]) }
        let length = Int(header[3]) << 8 | Int(header[4])
        guard length <= TLSRecord.maxFragment else { throw TLSWireError.recordTooLarge(length) }
        guard buffer.readableBytes >= 5 + length else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        let fragment = buffer.readBytes(length: length) ?? []
        return TLSRecord(contentType: header[0], version: UInt16(header[1]) << 8 | UInt16(header[2]), fragment: fragment)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> TLSRecord? {
        try decode(buffer: &buffer)
    }
}

/// A cursor over bytes whose every read is bounds-checked: parsers built on it are total.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8]) { self.bytes = bytes; offset = 0; end = bytes.count }
    private init(bytes: [UInt8], offset: Int, end: Int) { self.bytes = bytes; self.offset = offset; self.end = end }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    mutating func u8(_ what: String) throws(TLSWireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(what) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ what: String) throws(TLSWireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated(what) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u24(_ what: String) throws(TLSWireError) -> Int {
        guard remaining >= 3 else { throw .truncated(what) }
        defer { offset += 3 }
        return Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
    }

    mutating func bytes(_ n: Int, _ what: String) throws(TLSWireError) -> [UInt8] {
        guard n >= 0, remaining >= n else { throw .truncated(what) }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// A sub-reader over the next `n` octets (a length-prefixed vector's body).
    mutating func sub(_ n: Int, _ what: String) throws(TLSWireError) -> ByteReader {
        guard n >= 0, remaining >= n else { throw .truncated(what) }
        defer { offset += n }
        return ByteReader(bytes: bytes, offset: offset, end: offset + n)
    }

    mutating func vector8(_ what: String) throws(TLSWireError) -> [UInt8] { try bytes(Int(try u8(what)), what) }
    mutating func vector16(_ what: String) throws(TLSWireError) -> [UInt8] { try bytes(Int(try u16(what)), what) }
}
