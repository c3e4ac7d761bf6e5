import Foundation
import NIOCore
import Testing
@testable import TLSWire

@Suite struct TLSSessionCaptureTests {
    /// The server's side of a full TLS 1.2 handshake with the lab's good Postfix (port 25,
    /// recorded with Python's ssl module after STARTTLS): ServerHello … ServerHelloDone, then
    /// NewSessionTicket, ChangeCipherSpec and the encrypted Finished.
    @Test func recordedPostfixHandshakeYieldsTicketBeforeChangeCipherSpec() throws {
        let dir = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let path = "/" + dir + "/Fuzz/corpus/TLSHandshake/good-25-tls12-full-handshake"
        let data = try #require(FileManager.default.contents(atPath: path).map(Array.init))
        var buffer = ByteBuffer(bytes: data)
        var decoder = TLSRecordDecoder()
        var capture = TLSSessionCapture()
        while !capture.isDone, let record = try decoder.decode(buffer: &buffer) { capture.feed(record) }
        #expect(capture.error == nil)
        #expect(capture.changedCipherSpec)
        let sh = try #require(capture.serverHello)
        #expect(sh.negotiatedVersion == .tls12)
        let ticket = try #require(capture.ticket)
        #expect(ticket.count > 32)
        // The encrypted Finished after the ChangeCipherSpec is left unread.
        #expect(buffer.readableBytes > 0)
    }

    /// RFC 5077 §3.3: `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>;`
    @Test func newSessionTicketLayout() throws {
        #expect(try TLSSessionCapture.parseNewSessionTicket([0, 0, 0x1C, 0x20, 0, 3, 7, 8, 9]) == [7, 8, 9])
        #expect(try TLSSessionCapture.parseNewSessionTicket([0, 0, 0, 0, 0, 0]) == [])
        #expect(throws: TLSWireError.self) { try TLSSessionCapture.parseNewSessionTicket([0, 0, 0, 0, 0, 4, 1]) }
        #expect(throws: TLSWireError.self) { try TLSSessionCapture.parseNewSessionTicket([0, 0, 0, 0, 0, 1, 1, 2]) }
        #expect(throws: TLSWireError.self) { try TLSSessionCapture.parseNewSessionTicket([0, 0]) }
    }

    @Test func alertOrTicketBeforeServerHelloIsAnError() {
        var capture = TLSSessionCapture()
        capture.feed(TLSRecord(contentType: 22, version: 0x0303, fragment: [4, 0, 0, 6, 0, 0, 0, 0, 0, 0]))
        #expect(capture.error != nil && capture.isDone)
        var alerted = TLSSessionCapture()
        alerted.feed(TLSRecord(contentType: 21, version: 0x0303, fragment: [2, 40]))
        #expect(alerted.error != nil && alerted.ticket == nil)
    }

    /// RFC 5077 §3.2: the ticket travels in the session_ticket extension of the ClientHello.
    @Test func helloCarriesTheOfferedTicketAndSessionID() {
        var h = ClientHello(legacyVersion: .tls12, cipherSuites: [0xC02F], random: [UInt8](repeating: 1, count: 32))
        h.sessionID = [UInt8](repeating: 9, count: 32)
        h.sessionTicketData = [0xAA, 0xBB, 0xCC]
        let bytes = h.encodeRecord()
        // extension type 35, length 3, the ticket.
        let needle: [UInt8] = [0, 35, 0, 3, 0xAA, 0xBB, 0xCC]
        #expect((0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle })
        // legacy_session_id: length 32 right after the random (record 5 + handshake 4 + version 2 + random 32).
        #expect(bytes[43] == 32 && Array(bytes[44..<76]) == h.sessionID)
    }
}
