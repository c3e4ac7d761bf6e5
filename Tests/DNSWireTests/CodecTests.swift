import Foundation
import MailCore
import Testing
@testable import DNSWire

func name(_ s: String) -> DomainName { try! DomainName(s) }
func hex(_ s: String) -> [UInt8] { DNSRData.unhex(s.filter { !$0.isWhitespace })! }

@Suite struct CodecGoldenTests {
    /// A query exactly as mxray sends it: RD, one question, EDNS0 OPT with DO and 1232 octets.
    @Test func queryBytes() throws {
        let q = DNSMessage.query(id: 0xBEEF, question: DNSQuestion(name: name("example.com"), type: .a))
        #expect(try q.encoded() == hex("""
            BEEF 0100 0001 0000 0000 0001
            07 6578616D706C65 03 636F6D 00 0001 0001
            00 0029 04D0 00008000 0000
            """))
    }

    /// RFC 1035 §4.1.4's example: F.ISI.ARPA, then FOO.F.ISI.ARPA as FOO + pointer, then ARPA as a
    /// pointer alone; and the root as a single zero octet.
    @Test func rfc1035CompressionExample() throws {
        var m = DNSMessage(id: 1, flags: [.response])
        m.questions = [DNSQuestion(name: name("F.ISI.ARPA"), type: .a)]
        m.answers = [
            DNSResourceRecord(name: name("FOO.F.ISI.ARPA"), ttl: 1, data: .a(IPAddress("10.0.0.1")!)),
            DNSResourceRecord(name: name("ARPA"), ttl: 1, data: .ns(.root)),
        ]
        let bytes = try m.encoded()
        // Question name at offset 12: 1 f 3 isi 4 arpa 0.
        #expect(Array(bytes[12..<24]) == hex("01 66 03 697369 04 61727061 00"))
        // First answer owner at 28: 3 foo + pointer to 12 (0xC00C).
        #expect(Array(bytes[28..<34]) == hex("03 666F6F C00C"))
        // Second answer owner: pointer to "arpa" at offset 12+6 = 18 (0xC012); its rdata is the root.
        let second = 34 + 10 + 4
        #expect(Array(bytes[second..<second + 2]) == hex("C012"))
        #expect(Array(bytes[(bytes.count - 3)...]) == hex("0001 00"))
        let back = try DNSMessage(decoding: bytes)
        #expect(back == m)
    }

    @Test func headerFlagsAndCounts() throws {
        let bytes = hex("1234 85A3 0000 0000 0000 0000")  // QR AA RD RA AD? no: 0x85A3
        let m = try DNSMessage(decoding: bytes)
        #expect(m.id == 0x1234)
        #expect(m.flags.contains(.response) && m.flags.contains(.authoritative) && m.flags.contains(.recursionDesired))
        #expect(m.flags.contains(.recursionAvailable) && m.flags.contains(.authenticData))
        #expect(!m.flags.contains(.truncated) && !m.flags.contains(.checkingDisabled))
        #expect(m.rcode == .nxDomain)
        #expect(m.flags.names == ["qr", "aa", "rd", "ra", "ad"])
    }

    @Test func extendedRCodeThroughOPT() throws {
        var m = DNSMessage(id: 7, flags: [.response], rcode: .badVers, edns: DNSEDNS(udpPayloadSize: 4096))
        let bytes = try m.encoded()
        let back = try DNSMessage(decoding: bytes)
        #expect(back.rcode == .badVers)
        #expect(back.edns?.extendedRCode == 1)
        #expect(bytes[3] & 0x0F == 0)
        m.edns = nil
        #expect(throws: DNSEncodingError.self) { try m.encoded() }
    }

    @Test func ednsOptionsKeptRaw() throws {
        let opt = DNSEDNS(udpPayloadSize: 1232, dnssecOK: true, options: [.init(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        let m = DNSMessage(id: 9, questions: [DNSQuestion(name: name("a.example"), type: .txt)], edns: opt)
        let back = try DNSMessage(decoding: try m.encoded())
        #expect(back.edns == opt)
        #expect(back.additional.isEmpty)
    }
}

@Suite struct CapturedAnswerTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/dns").standardizedFileURL

    static var fixtures: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// `name ttl IN TYPE rdata` with the rdata's spaces removed and lower-cased, so dnspython's
    /// chunked base64 and our unbroken form compare equal.
    static func normalise(_ line: String) -> String {
        let f = line.split(separator: " ", maxSplits: 4).map(String.init)
        guard f.count == 5 else { return line }
        return "\(f[0]) \(f[1]) \(f[2]) \(f[3]) " + f[4].filter { $0 != " " }.lowercased()
    }

    @Test func thereAreFixtures() { #expect(Self.fixtures.count >= 10) }

    /// Each reply Unbound sent in the lab decodes to the records dnspython read from the same octets.
    @Test(arguments: fixtures)
    func decodesLikeAnIndependentParser(_ fixture: String) throws {
        let bin = try Data(contentsOf: Self.directory.appendingPathComponent(fixture + ".bin"))
        let txt = try String(contentsOf: Self.directory.appendingPathComponent(fixture + ".txt"), encoding: .utf8)
        let m = try DNSMessage(decoding: Array(bin))
        var lines = txt.split(separator: "\n").map(String.init)
        let rcode = lines.removeFirst().dropFirst("rcode ".count)
        let flags = lines.removeFirst().dropFirst("flags ".count)
        #expect(m.rcode.description == rcode)
        #expect(m.flags.names.joined(separator: " ") == flags)
        let ours = (m.answers + m.authority + m.additional).map { Self.normalise($0.description) }
        #expect(ours.sorted() == lines.map(Self.normalise).sorted())
        #expect(m.edns?.dnssecOK == true)
        // Re-encoding (our own compression) reads back to the same message.
        #expect(try DNSMessage(decoding: try m.encoded()) == m)
        // Uncompressed is never smaller than compressed.
        #expect(try m.encoded(compress: false).count >= m.encoded().count)
    }

    @Test func longTXTKeepsEveryString() throws {
        let bin = try Data(contentsOf: Self.directory.appendingPathComponent("sel1._domainkey.good.lab.test_TXT.bin"))
        let m = try DNSMessage(decoding: Array(bin))
        let txt = m.answers.compactMap { if case .txt(let t) = $0.data { t } else { nil } }.first
        #expect(txt?.strings.count == 2)
        #expect(txt?.strings.first?.count == 255)
        #expect(txt?.joined.hasPrefix("v=DKIM1; k=rsa; p=MIIB") == true)
        #expect(txt?.joined.hasSuffix("IDAQAB") == true)
    }
}

@Suite struct MalformedInputTests {
    func error(_ bytes: [UInt8]) -> DNSDecodingError? {
        do { _ = try DNSMessage(decoding: bytes); return nil } catch { return error }
    }

    @Test func shortHeader() {
        let e = error([0x12, 0x34, 0x01])
        #expect(e?.offset == 2)
        if case .truncated = e?.reason {} else { Issue.record("expected truncated, got \(String(describing: e))") }
    }

    @Test func countsPromiseMoreThanThereIs() {
        let e = error(hex("0001 8180 0001 0001 0000 0000 01 61 00 0001 0001"))
        #expect(e?.offset == 19)
        #expect(e?.description.contains("offset 19") == true)
    }

    @Test func pointerToItself() {
        let e = error(hex("0001 0100 0001 0000 0000 0000 C00C 0001 0001"))
        #expect(e?.reason == .forwardPointer(target: 12))
        #expect(e?.offset == 12)
    }

    @Test func forwardPointer() {
        #expect(error(hex("0001 0100 0001 0000 0000 0000 C020 0001 0001"))?.reason == .forwardPointer(target: 32))
    }

    /// A label followed by a pointer back to itself: each pass adds two octets until the name
    /// passes 255 — the loop ends with an error, not a hang.
    @Test func loopThroughLabels() {
        let e = error(hex("0001 0100 0001 0000 0000 0000 01 61 C00C 0001 0001"))
        #expect(e?.reason == .nameTooLong || e?.reason == .pointerLoop)
    }

    @Test func extendedLabelType() {
        #expect(error(hex("0001 0100 0001 0000 0000 0000 41 61 00 0001 0001"))?.reason == .badLabelType(0x41))
    }

    @Test func aRecordOfFiveOctets() {
        let e = error(hex("0001 8180 0000 0001 0000 0000 00 0001 0001 00000E10 0005 0102030405"))
        if case .invalidRData(let t, _) = e?.reason { #expect(t == .a) } else { Issue.record("\(String(describing: e))") }
        #expect(e?.offset == 23)
    }

    @Test func rdataShorterThanItsName() {
        // MX rdata declares 3 octets: preference + a name that would need more.
        let e = error(hex("0001 8180 0000 0001 0000 0000 00 000F 0001 00000E10 0003 000A 01 61 00"))
        #expect(e != nil)
    }

    @Test func twoOPTRecords() {
        let opt = "00 0029 04D0 00000000 0000"
        let e = error(hex("0001 0100 0000 0000 0000 0002 " + opt + opt))
        #expect(e?.reason == .duplicateOPT)
    }

    @Test func unknownTypeIsKeptRaw() throws {
        let m = try DNSMessage(decoding: hex("0001 8180 0000 0001 0000 0000 00 FFFE 0001 00000E10 0003 010203"))
        #expect(m.answers.first?.data == .unknown(type: DNSRecordType(65534), octets: [1, 2, 3]))
        #expect(m.answers.first?.description == ". 3600 IN TYPE65534 \\# 3 010203")
    }

    @Test func nameOf255OctetsIsTheLimit() throws {
        // 4 labels of 63 + 1 of 1... build 255 exactly: 3×(1+63) + (1+61) + 1 = 255.
        let l63 = String(repeating: "a", count: 63), l61 = String(repeating: "b", count: 61)
        let ok = DomainName(uncheckedLabels: [l63, l63, l63, l61])
        #expect(ok.wireLength == 255)
        let m = DNSMessage(id: 1, questions: [DNSQuestion(name: ok, type: .a)])
        #expect(try DNSMessage(decoding: try m.encoded()).questions.first?.name == ok)
        let tooLong = DomainName(uncheckedLabels: [l63, l63, l63, l61 + "c"])
        #expect(throws: DNSEncodingError.self) { try DNSMessage(id: 1, questions: [DNSQuestion(name: tooLong, type: .a)]).encoded() }
    }

    /// Every prefix of a real reply is either that reply or an error naming an offset within it.
    @Test func everyTruncationIsAnError() throws {
        let bin = try Data(contentsOf: CapturedAnswerTests.directory.appendingPathComponent("broken.lab.test_MX.bin"))
        let bytes = Array(bin)
        for n in 0..<bytes.count {
            guard let e = error(Array(bytes[0..<n])) else { Issue.record("prefix of \(n) octets decoded"); continue }
            #expect(e.offset <= n)
        }
    }

    /// Flipping any single octet of a real reply never crashes the decoder.
    @Test func singleOctetCorruption() throws {
        let bin = try Data(contentsOf: CapturedAnswerTests.directory.appendingPathComponent("good.lab.test_SOA.bin"))
        let bytes = Array(bin)
        for i in bytes.indices {
            for v: UInt8 in [0x00, 0xFF, 0xC0, 0x3F] {
                var b = bytes
                b[i] = v
                if let m = try? DNSMessage(decoding: b), let again = try? m.encoded() {
                    #expect((try? DNSMessage(decoding: again)) == m)
                }
            }
        }
    }
}
