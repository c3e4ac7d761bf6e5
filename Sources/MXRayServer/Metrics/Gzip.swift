import CZlib

/// gzip (RFC 1952) of a whole buffer through zlib's deflate; nil if zlib fails. Prometheus asks
/// for `Accept-Encoding: gzip` on every scrape, and the exposition of many targets compresses
/// about tenfold.
func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8]? {
    var stream = z_stream()
    // windowBits 16 + 15: a gzip header and trailer around the deflate stream.
    guard deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                        ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
    var input = input
    let written: Int? = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return nil }
            return outBuf.count - Int(stream.avail_out)
        }
    }
    guard let written else { return nil }
    output.removeLast(output.count - written)
    return output
}

/// The inverse of `gzip`; nil when the input is not a complete gzip stream or would inflate
/// beyond `limit` bytes.
func gunzip(_ input: [UInt8], limit: Int = 256 << 20) -> [UInt8]? {
    var stream = z_stream()
    guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var input = input
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = UInt32(inBuf.count)
        while true {
            let (rc, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let rc = inflate(&stream, Z_NO_FLUSH)
                return (rc, out.count - Int(stream.avail_out))
            }
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit { return false }
            if rc == Z_STREAM_END { return true }
            if rc != Z_OK || (produced == 0 && stream.avail_in == 0) { return false }
        }
    }
    return ok ? output : nil
}
