#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// Why an input could not be read: one line a person can act on (the CLI exits 3).
public struct LogInputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

/// Something that fills a buffer with the next bytes of a log: a file range, stdin, a gzip stream.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes; 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A range of a regular file (or the whole of it, or stdin when `fd == 0`), read with pread/read.
public struct FileSource: ByteSource {
    let fd: Int32
    var offset: Int64
    let end: Int64?          // nil: until EOF
    let path: String

    public init(fd: Int32, path: String, offset: Int64 = 0, end: Int64? = nil) {
        self.fd = fd; self.path = path; self.offset = offset; self.end = end
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var want = buffer.count
        if let end { want = Int(min(Int64(want), end - offset)); if want <= 0 { return 0 } }
        while true {
            let n = fd == 0 ? Glibc.read(fd, buffer.baseAddress, want) : pread(fd, buffer.baseAddress, want, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogInputError(path: path, reason: String(cString: strerror(errno)))
            }
            offset += Int64(n)
            return n
        }
    }
}

/// Streaming gzip (RFC 1952) inflate through zlib, including concatenated members (as logrotate's
/// `delaycompress` and `cat a.gz b.gz` produce).
public final class GzipSource: ByteSource {
    var inner: FileSource
    var stream = z_stream()
    var input = [UInt8](repeating: 0, count: 1 << 18)
    var inputCount = 0
    var finished = false
    let path: String

    public init(_ inner: FileSource) throws {
        self.inner = inner
        self.path = inner.path
        let rc = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw LogInputError(path: inner.path, reason: "zlib inflateInit failed (\(rc))") }
    }
    deinit { inflateEnd(&stream) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished else { return 0 }
        while true {
            if stream.avail_in == 0 {
                inputCount = try input.withUnsafeMutableBytes { try inner.read(into: $0) }
                if inputCount == 0 { finished = true; return 0 }
                stream.avail_in = uInt(inputCount)
            }
            let consumedFrom = inputCount - Int(stream.avail_in)
            let produced: Int = try input.withUnsafeMutableBufferPointer { inp in
                stream.next_in = inp.baseAddress! + consumedFrom
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let rc = inflate(&stream, Z_NO_FLUSH)
                let made = buffer.count - Int(stream.avail_out)
                if rc == Z_STREAM_END {
                    // Another member may follow.
                    if inflateReset(&stream) != Z_OK { throw LogInputError(path: path, reason: "zlib reset failed") }
                } else if rc != Z_OK && rc != Z_BUF_ERROR {
                    throw LogInputError(path: path, reason: "corrupt gzip data (zlib \(rc))")
                }
                return made
            }
            if produced > 0 { return produced }
        }
    }
}

/// Splits a byte stream into lines without copying them: each line (without `\n` or `\r\n`) is
/// handed out as `LineBytes` borrowed from a fixed buffer. A line longer than the buffer is cut
/// at the buffer's size and the rest of it skipped, so memory stays bounded.
public struct LineSplitter {
    public static let bufferSize = 1 << 22
    static let chunkSize = 1 << 17
    public private(set) var lines: Int64 = 0
    public private(set) var bytes: Int64 = 0

    public init() {}

    public mutating func run<S: ByteSource>(_ source: inout S, _ body: (LineBytes) -> Void) throws {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer { buf.deallocate() }
        let base = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var filled = 0
        var skipping = false
        while true {
            // Read at most `chunkSize` at a time: the bytes just copied in are still in the core's
            // cache when the lines are decoded (the 4 MiB buffer only bounds the longest line).
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[filled..<min(filled + Self.chunkSize, Self.bufferSize)]))
            bytes += Int64(n)
            if n == 0 {
                if filled > 0, !skipping { emit(base, 0, filled, body) }
                return
            }
            let total = filled + n
            var start = 0
            var pos = filled
            while pos < total, let p = memchr(base + pos, 10, total - pos) {
                let nl = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if skipping { skipping = false } else { emit(base, start, nl, body) }
                start = nl + 1
                pos = start
            }
            if start == 0 && total == Self.bufferSize {
                // No newline in a full buffer: cut the line here.
                if !skipping { emit(base, 0, total, body) }
                skipping = true
                filled = 0
                continue
            }
            let rest = total - start
            if rest > 0, start > 0 { memmove(base, base + start, rest) }
            filled = rest
        }
    }

    @inline(__always) mutating func emit(_ base: UnsafeMutablePointer<UInt8>, _ lo: Int, _ hi: Int, _ body: (LineBytes) -> Void) {
        var end = hi
        if end > lo, base[end - 1] == 13 { end -= 1 }
        lines += 1
        body(LineBytes(UnsafeBufferPointer(start: base + lo, count: end - lo)))
    }
}
