import DNSWire
import FuzzSupport

// Any byte sequence must decode to a message or a `DNSDecodingError` — never crash or hang. A
// message that decodes must encode, and decode again to the same value (names are compared as
// decoded, lower case).
let entry: FuzzDriver.Entry = { data, size in
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? DNSMessage(decoding: bytes) else { return 0 }
    _ = message.description
    for rr in message.answers + message.authority + message.additional {
        _ = rr.description
        if let wire = try? rr.data.wireOctets() {
            // Rdata written alone (no compression) must read back as the same value.
            guard (try? DNSRData(type: rr.type, wire: wire)) == rr.data else {
                fatalError("rdata round trip changed \(rr)")
            }
        }
    }
    guard let encoded = try? message.encoded() else { return 0 }
    guard let again = try? DNSMessage(decoding: encoded) else {
        fatalError("re-encoded message does not decode: \(message)")
    }
    guard again == message else { fatalError("round trip changed the message:\n\(message)\n---\n\(again)") }
    return 0
}

FuzzDriver.run(entry)
