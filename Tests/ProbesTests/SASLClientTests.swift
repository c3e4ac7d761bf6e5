import Foundation
import Testing
@testable import Probes

/// SASL client steps against the RFCs' own examples.
@Suite struct SASLClientTests {
    @Test func scramSHA256MatchesRFC7677Example() throws {
        // RFC 7677 §3.
        var c = SASLClient(mechanism: .scramSHA256, user: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: c.initialResponse()!, as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let final = try c.respond(to: Array(serverFirst.utf8))
        #expect(String(decoding: final, as: UTF8.self)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        #expect(try c.respond(to: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)) == [])
    }

    @Test func scramRejectsAForgedServer() throws {
        var c = SASLClient(mechanism: .scramSHA256, user: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = try c.respond(to: Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        #expect(throws: SASLError.serverSignatureMismatch) {
            _ = try c.respond(to: Array("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        }
        var d = SASLClient(mechanism: .scramSHA256, user: "u", password: "p", clientNonce: "abc")
        #expect(throws: SASLError.badServerNonce) { _ = try d.respond(to: Array("r=xyz123,s=AAAA,i=4096".utf8)) }
        var e = SASLClient(mechanism: .scramSHA256, user: "u", password: "p", clientNonce: "abc")
        #expect(throws: SASLError.iterationCountOutOfRange(2_000_000_000)) { _ = try e.respond(to: Array("r=abcdef,s=AAAA,i=2000000000".utf8)) }
        var f = SASLClient(mechanism: .scramSHA256, user: "u", password: "p", clientNonce: "abc")
        #expect(throws: SASLError.serverError("invalid-proof")) { _ = try f.respond(to: Array("e=invalid-proof".utf8)) }
    }

    @Test func scramEscapesTheUserName() {
        let c = SASLClient(mechanism: .scramSHA256, user: "a=b,c", password: "p", clientNonce: "n")
        #expect(String(decoding: c.initialResponse()!, as: UTF8.self) == "n,,n=a=3Db=2Cc,r=n")
    }

    @Test func cramMD5MatchesRFC2195Example() throws {
        var c = SASLClient(mechanism: .cramMD5, user: "tim", password: "tanstaaftanstaaf")
        #expect(c.initialResponse() == nil)
        let r = try c.respond(to: Array("<1896.697170952@postoffice.reston.mci.net>".utf8))
        #expect(String(decoding: r, as: UTF8.self) == "tim b913a602c7eda7a495b4e6e7334d3890")
    }

    @Test func plainAndLogin() throws {
        let p = SASLClient(mechanism: .plain, user: "alice", password: "secret")
        #expect(p.initialResponse() == Array("\0alice\0secret".utf8))
        var l = SASLClient(mechanism: .login, user: "alice", password: "secret")
        #expect(try l.respond(to: Array("Username:".utf8)) == Array("alice".utf8))
        #expect(try l.respond(to: Array("Password:".utf8)) == Array("secret".utf8))
    }

    @Test func bestMechanism() {
        #expect(SASLMechanism.best(offered: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"]) == .scramSHA256)
        #expect(SASLMechanism.best(offered: ["login", "plain"]) == .plain)
        #expect(SASLMechanism.best(offered: ["GSSAPI", "XOAUTH2"]) == nil)
    }
}
