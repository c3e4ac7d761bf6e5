import FuzzSupport
import MailLogs

/// One target for every line decoder: the first input byte selects the format (postfix, dovecot,
/// exim, exchange, journald, syslog), the rest is fed as lines through the decoder and the
/// aggregator. Any crash, trap or hang is a bug; unknown shapes must simply count as unknown.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let formats: [LogFormat] = [.postfix, .dovecot, .exim, .exchange, .journald, .syslog]
    let format = formats[Int(data[0]) % formats.count]
    let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    var dec = LogDecoder(format: format, years: YearInference(referenceYear: 2026, referenceMonth: 1))
    var agg = LogAggregator()
    if format == .exchange {
        // Give the CSV decoder a header so data lines are exercised.
        let header = Array("#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address".utf8)
        header.withUnsafeBufferPointer { dec.decode(LineBytes($0)) { e, b in agg.consume(&e, b) } }
    }
    var start = 0
    for i in 0...body.count where i == body.count || body[i] == 10 {
        dec.decode(LineBytes(UnsafeBufferPointer(rebasing: body[start..<i]))) { e, b in
            // Touch every span so out-of-range spans trap here.
            _ = b.string(e.queueID); _ = b.string(e.clientIP); _ = b.string(e.statusMessage); _ = b.string(e.response)
            _ = b.string(e.keyValues); _ = b.string(e.stage); _ = b.string(e.extra); _ = b.string(e.counters)
            _ = CommandCounter.parse(b, e.counters)
            agg.consume(&e, b)
        }
        start = i + 1
    }
    _ = agg.summary()
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
