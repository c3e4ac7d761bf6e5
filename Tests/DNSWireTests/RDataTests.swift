import MailCore
import Testing
@testable import DNSWire

@Suite struct RDataTests {
    static let samples: [DNSRData] = [
        .a(IPAddress("192.0.2.1")!),
        .aaaa(IPAddress("2001:db8::1")!),
        .ns(name("ns1.example")),
        .cname(name("target.example")),
        .ptr(name("mx1.example")),
        .mx(MXRecord(preference: 10, exchange: name("mx1.example"))),
        .mx(MXRecord(preference: 0, exchange: .root)),
        .txt(TXTRecord(strings: [Array("v=spf1 ".utf8), Array("-all".utf8), [0x80, 0xFF], []])),
        .soa(SOARecord(mname: name("ns1.example"), rname: name("hostmaster.example"), serial: 2026112901,
                       refresh: 3600, retry: 600, expire: 86400, minimum: 300)),
        .srv(SRVRecord(priority: 0, weight: 1, port: 993, target: name("imap.example"))),
        .tlsa(TLSARecord(usage: 3, selector: 1, matchingType: 1, data: Array(repeating: 0xAB, count: 32))),
        .caa(CAARecord(flags: 128, tag: "issue", value: Array("ca.example".utf8))),
        .dnskey(DNSKEYRecord(flags: 257, protocol: 3, algorithm: 13, publicKey: Array(0..<64))),
        .ds(DSRecord(keyTag: 12345, algorithm: 13, digestType: 2, digest: Array(repeating: 0x11, count: 32))),
        .rrsig(RRSIGRecord(typeCovered: .mx, algorithm: 13, labels: 2, originalTTL: 300, expiration: 1_800_000_000,
                           inception: 1_700_000_000, keyTag: 1255, signerName: name("example"), signature: Array(0..<64))),
        .nsec(NSECRecord(nextDomainName: name("b.example"), types: [.a, .mx, .rrsig, .nsec, .caa, DNSRecordType(1234)])),
        .nsec3(NSEC3Record(hashAlgorithm: 1, flags: 1, iterations: 0, salt: [0xAA, 0xBB], nextHashedOwner: Array(0..<20),
                           types: [.a, .rrsig])),
        .unknown(type: DNSRecordType(65280), octets: [9, 8, 7]),
    ]

    @Test(arguments: samples)
    func roundTripsInAMessage(_ data: DNSRData) throws {
        let m = DNSMessage(id: 42, flags: [.response, .authoritative],
                           questions: [DNSQuestion(name: name("example"), type: data.type)],
                           answers: [DNSResourceRecord(name: name("example"), ttl: 300, data: data)],
                           edns: DNSEDNS(dnssecOK: true))
        #expect(try DNSMessage(decoding: try m.encoded()) == m)
        #expect(try DNSMessage(decoding: try m.encoded(compress: false)) == m)
        #expect(try DNSRData(type: data.type, wire: data.wireOctets()) == data)
    }

    @Test func presentationForms() {
        #expect(DNSRData.mx(MXRecord(preference: 10, exchange: name("mx1.example"))).description == "10 mx1.example.")
        #expect(DNSRData.txt(TXTRecord(strings: [Array("a \"q\"".utf8), [0x07]])).description == "\"a \\\"q\\\"\" \"\\007\"")
        #expect(DNSRData.tlsa(TLSARecord(usage: 3, selector: 1, matchingType: 1, data: [0xAB, 0x01])).description == "3 1 1 AB01")
        #expect(DNSRData.nsec(NSECRecord(nextDomainName: name("b.example"), types: [.a, .mx])).description == "b.example. A MX")
        #expect(DNSRData.timestamp(0) == "19700101000000")
        #expect(DNSRData.timestamp(1_800_000_000) == "20270115080000")
        #expect(DNSRData.base64([1, 2, 3, 4]) == "AQIDBA==")
    }

    /// RFC 4034 Appendix B over the DNSKEY of RFC 4034 §5.4's DS example (`; key id = 60485`).
    @Test func keyTag() {
        let key = "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
        // Decode base64 by hand (no Foundation in DNSWire's tests' subject).
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bits: UInt32 = 0, n = 0
        var out: [UInt8] = []
        for c in key.utf8 where c != UInt8(ascii: "=") {
            bits = bits << 6 | UInt32(table.firstIndex(of: c)!); n += 6
            if n >= 8 { out.append(UInt8(bits >> UInt32(n - 8) & 0xFF)); n -= 8 }
        }
        #expect(DNSKEYRecord(flags: 256, protocol: 3, algorithm: 5, publicKey: out).keyTag == 60485)
    }

    @Test func nullMX() {
        #expect(MXRecord(preference: 0, exchange: .root).isNullMX)
        #expect(!MXRecord(preference: 0, exchange: name("mx.example")).isNullMX)
    }

    @Test func txtJoinedAndRecordJSON() throws {
        let t = TXTRecord(["v=spf1 ip4:192.0.2.0/24", " -all"])
        #expect(t.joined == "v=spf1 ip4:192.0.2.0/24 -all")
        #expect(t.texts.count == 2)
        let rr = DNSResourceRecord(name: name("example"), ttl: 60, data: .txt(t))
        let data = try JSONEncoderShim.encode(rr)
        #expect(try JSONEncoderShim.decode(DNSResourceRecord.self, data) == rr)
    }
}

/// A tiny wrapper so this file reads as data, not Foundation plumbing.
import Foundation
enum JSONEncoderShim {
    static func encode<T: Encodable>(_ v: T) throws -> Data { try JSONEncoder().encode(v) }
    static func decode<T: Decodable>(_ t: T.Type, _ d: Data) throws -> T { try JSONDecoder().decode(t, from: d) }
}

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"), ("2001:db8::1", "2001:db8::1"), ("2001:0db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::", "::"), ("::1", "::1"), ("::ffff:192.0.2.1", "::ffff:c000:201"), ("FE80::1", "fe80::1"),
    ])
    func rfc5952(_ input: String, _ output: String) {
        #expect(IPAddress(input)?.description == output)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7:8:9", "example.com"])
    func rejects(_ input: String) { #expect(IPAddress(input) == nil) }

    @Test func reverseNames() {
        #expect(IPAddress("192.0.2.1")!.reverseName.description == "1.2.0.192.in-addr.arpa")
        #expect(IPAddress("2001:db8::567:89ab")!.reverseName.description
                == "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }

    @Test func serverAddresses() {
        #expect(DNSServerAddress(parsing: "127.0.10.54")?.description == "127.0.10.54:53")
        #expect(DNSServerAddress(parsing: "127.0.0.1:5353")?.port == 5353)
        #expect(DNSServerAddress(parsing: "[::1]:5353")?.description == "[::1]:5353")
        #expect(DNSServerAddress(parsing: "::1")?.description == "[::1]:53")
        #expect(DNSServerAddress(parsing: "[::1]")?.port == 53)
        #expect(DNSServerAddress(parsing: "ns.example") == nil)
        #expect(DNSServerAddress(parsing: "1.2.3.4:0") == nil)
        #expect(DNSServerAddress(parsing: "1.2.3.4:99999") == nil)
    }
}
