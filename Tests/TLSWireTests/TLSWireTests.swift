import NIOCore
import Testing
@testable import TLSWire

@Suite struct ClientHelloTests {
    @Test func encodesRecordHeaderAndSuites() {
        var h = ClientHello(legacyVersion: .tls12, cipherSuites: [0xC02F, 0x009C], random: Array(repeating: 7, count: 32))
        h.serverName = "mx1.good.lab.test"
        h.groups = [NamedGroup.x25519]
        let bytes = h.encodeRecord()
        #expect(bytes[0] == 22)                       // handshake record
        #expect(bytes[1] == 3 && bytes[2] == 1)       // record version 0x0301
        #expect(Int(bytes[3]) << 8 | Int(bytes[4]) == bytes.count - 5)
        #expect(bytes[5] == 1)                        // client_hello
        #expect(bytes[9] == 3 && bytes[10] == 3)      // legacy_version 0x0303
        // session id empty, then cipher_suites<4>: C0 2F 00 9C
        #expect(bytes[43] == 0 && Array(bytes[44...49]) == [0, 4, 0xC0, 0x2F, 0x00, 0x9C])
        #expect(contains(bytes, Array("mx1.good.lab.test".utf8)))
    }

    @Test func tls13HelloCarriesSupportedVersionsAndKeyShare() {
        var h = ClientHello(legacyVersion: .tls12, cipherSuites: [0x1301], random: Array(repeating: 1, count: 32))
        h.supportedVersions = [.tls13]
        h.keyShareGroups = [NamedGroup.x25519]
        let ext = h.encodeExtensions()
        #expect(contains(ext, [0x00, 0x2B, 0x00, 0x03, 0x02, 0x03, 0x04]))    // supported_versions
        #expect(contains(ext, [0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20]))  // key_share x25519, 32 octets
    }

    @Test func emptyKeyShareForGroupProbe() {
        var h = ClientHello(legacyVersion: .tls12, cipherSuites: [0x1301], random: Array(repeating: 1, count: 32))
        h.supportedVersions = [.tls13]
        h.groups = [NamedGroup.x25519MLKEM768]
        let ext = h.encodeExtensions()
        #expect(contains(ext, [0x00, 0x33, 0x00, 0x02, 0x00, 0x00]))          // client_shares<0>
        #expect(contains(ext, [0x00, 0x0A, 0x00, 0x04, 0x00, 0x02, 0x11, 0xEC]))
    }

    @Test func ssl3HelloHasNoExtensions() {
        var h = ClientHello(legacyVersion: .ssl3, cipherSuites: [0x002F], random: Array(repeating: 0, count: 32))
        h.includeExtensions = false
        let hs = h.encodeHandshake()
        // type + 3 length + version 2 + random 32 + sid 1 + suites 2+2 + compression 1+1
        #expect(hs.count == 4 + 2 + 32 + 1 + 4 + 2)
        #expect(h.encodeRecord()[2] == 0)  // record version 0x0300
    }
}

@Suite struct ServerFlightTests {
    static func serverHello(version: UInt16 = 0x0303, random: [UInt8] = Array(repeating: 9, count: 32), suite: UInt16,
                            extensions: [(UInt16, [UInt8])] = []) -> [UInt8] {
        var body: [UInt8] = [UInt8(version >> 8), UInt8(version & 0xFF)] + random + [0]
        body += [UInt8(suite >> 8), UInt8(suite & 0xFF), 0]
        var ext: [UInt8] = []
        for (t, d) in extensions { ext += [UInt8(t >> 8), UInt8(t & 0xFF), UInt8(d.count >> 8), UInt8(d.count & 0xFF)] + d }
        if !extensions.isEmpty { body += [UInt8(ext.count >> 8), UInt8(ext.count & 0xFF)] + ext }
        let msg: [UInt8] = [2, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return TLSRecord.encode(type: .handshake, version: 0x0303, payload: msg)
    }

    static func records(_ bytes: [UInt8]) throws -> [TLSRecord] {
        var buffer = ByteBuffer(bytes: bytes)
        var d = TLSRecordDecoder()
        var out: [TLSRecord] = []
        while let r = try d.decode(buffer: &buffer) { out.append(r) }
        return out
    }

    @Test func parsesTLS12ServerHelloWithFeatures() throws {
        let bytes = Self.serverHello(suite: 0xC030, extensions: [(0xFF01, [0]), (23, []), (35, [])])
        var f = ServerFlight()
        for r in try Self.records(bytes) { f.feed(r) }
        #expect(f.state == .complete)
        let sh = try #require(f.serverHello)
        #expect(sh.cipherSuite == 0xC030)
        #expect(sh.negotiatedVersion == .tls12)
        #expect(sh.secureRenegotiation)
        #expect(sh.has(TLSExtensionType.extendedMasterSecret))
        #expect(!sh.isHelloRetryRequest)
    }

    @Test func detectsHelloRetryRequestAndSelectedGroup() throws {
        let bytes = Self.serverHello(random: ServerHello.helloRetryRequestRandom, suite: 0x1302,
                                     extensions: [(43, [3, 4]), (51, [0x11, 0xEC])])
        var f = ServerFlight()
        for r in try Self.records(bytes) { f.feed(r) }
        let sh = try #require(f.serverHello)
        #expect(sh.isHelloRetryRequest)
        #expect(sh.negotiatedVersion == .tls13)
        #expect(sh.keyShareGroup == NamedGroup.x25519MLKEM768)
        #expect(NamedGroup.isPostQuantum(sh.keyShareGroup ?? 0))
    }

    @Test func handshakeSplitAcrossRecordsAndFullFlight() throws {
        let sh = Array(Self.serverHello(suite: 0xC02F).dropFirst(5))
        let cert: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x05]
        let certMsg: [UInt8] = [11, 0, 0, 11, 0, 0, 8, 0, 0, 5] + cert
        let ske: [UInt8] = [12, 0, 0, 4, 3, 0x00, 0x1D, 0]
        let done: [UInt8] = [14, 0, 0, 0]
        let all = sh + certMsg + ske + done
        var bytes = TLSRecord.encode(type: .handshake, version: 0x0303, payload: Array(all.prefix(20)))
        bytes += TLSRecord.encode(type: .handshake, version: 0x0303, payload: Array(all.dropFirst(20)))
        var f = ServerFlight(wantFullFlight: true)
        for r in try Self.records(bytes) { f.feed(r) }
        #expect(f.state == .complete)
        #expect(f.certificates == [cert])
        #expect(f.keyExchangeGroup == NamedGroup.x25519)
    }

    @Test func alertAndGarbage() throws {
        var f = ServerFlight()
        for r in try Self.records([21, 3, 3, 0, 2, 2, 40]) { f.feed(r) }
        #expect(f.state == .alert(TLSAlert(level: 2, description: 40)))
        var buffer = ByteBuffer(string: "554 5.7.0 go away\r\n")
        var d = TLSRecordDecoder()
        #expect(throws: TLSWireError.self) { _ = try d.decode(buffer: &buffer) }
    }

    @Test func truncatedAndOversizedInputsAreTypedErrors() {
        #expect(throws: TLSWireError.self) { _ = try ServerHello.parse([3, 3, 1, 2]) }
        #expect(throws: TLSWireError.self) { _ = try ServerFlight.parseCertificateList([0, 0, 9, 0, 0, 1]) }
        var buffer = ByteBuffer(bytes: [22, 3, 3, 0xFF, 0xFF])
        var d = TLSRecordDecoder()
        #expect(throws: TLSWireError.recordTooLarge(65535)) { _ = try d.decode(buffer: &buffer) }
    }
}

@Suite struct TablesTests {
    @Test func namesFromIANA() {
        #expect(IANATables.suiteName(0x1301) == "TLS_AES_128_GCM_SHA256")
        #expect(IANATables.suiteName(0xC02F) == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(IANATables.groupName(0x11EC) == "X25519MLKEM768")
        #expect(IANATables.groupName(0x6399) == "X25519Kyber768Draft00")
        #expect(IANATables.isObsoleteGroup(0x6399))
        #expect(IANATables.suiteName(0xFEFE) == "0xFEFE")
    }

    @Test func traitsFromNames() {
        let t = CipherSuiteTraits(name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384")
        #expect(t.keyExchange == "ECDHE" && t.authentication == "RSA" && t.cipher == "AES_256_CBC" && t.hash == "SHA384")
        #expect(!t.isAEAD && t.isForwardSecret)
        let r = CipherSuiteTraits(name: "TLS_RSA_WITH_AES_128_GCM_SHA256")
        #expect(r.keyExchange == "RSA" && r.authentication == "RSA" && r.isAEAD && !r.isForwardSecret)
        #expect(CipherSuiteTraits(name: "TLS_AES_256_GCM_SHA384").isTLS13)
        #expect(CipherSuiteTraits(name: "TLS_RSA_EXPORT_WITH_RC4_40_MD5").isExport)
    }

    @Test func offerableSuitesSplitByVersion() {
        let v13 = IANATables.offerableSuites(for: .tls13)
        let v12 = IANATables.offerableSuites(for: .tls12)
        #expect(v13.allSatisfy { $0 >> 8 == 0x13 } && v13.contains(0x1303))
        #expect(!v12.contains(0x1301) && !v12.contains(TLSSCSV.fallback) && !v12.contains(TLSSCSV.emptyRenegotiationInfo))
        #expect(v12.count > 300)
    }
}

func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= hay.count else { return false }
    for i in 0...(hay.count - needle.count) where Array(hay[i..<i + needle.count]) == needle { return true }
    return false
}
