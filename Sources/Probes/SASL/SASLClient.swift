import Crypto
import Foundation

/// The SASL mechanisms `mxray login` speaks, best first (RFC 4422).
public enum SASLMechanism: String, Sendable, CaseIterable, Codable {
    case scramSHA256 = "SCRAM-SHA-256"  // RFC 5802, RFC 7677
    case cramMD5 = "CRAM-MD5"           // RFC 2195
    case plain = "PLAIN"                // RFC 4616
    case login = "LOGIN"                // draft-murchison-sasl-login

    /// The best mechanism both sides support, in our order of preference.
    public static func best(offered: [String]) -> SASLMechanism? {
        let upper = Set(offered.map { $0.uppercased() })
        return allCases.first { upper.contains($0.rawValue) }
    }
}

public enum SASLError: Error, Sendable, Equatable, CustomStringConvertible {
    case unexpectedChallenge(String)
    case badServerNonce
    case iterationCountOutOfRange(Int)
    case serverError(String)
    case serverSignatureMismatch
    case notBase64

    public var description: String {
        switch self {
        case .unexpectedChallenge(let c): return "unexpected SASL challenge: \(c)"
        case .badServerNonce: return "SCRAM server nonce does not extend ours (RFC 5802 §5.1)"
        case .iterationCountOutOfRange(let i): return "SCRAM iteration count \(i) outside 1…1,000,000"
        case .serverError(let e): return "SCRAM server error: \(e)"
        case .serverSignatureMismatch: return "SCRAM server signature does not verify: the server does not know the password"
        case .notBase64: return "server challenge is not base64"
        }
    }
}

/// A client side of one SASL exchange: bytes in, bytes out. The protocol drivers (SMTP, IMAP,
/// POP3) base64 them onto the wire.
public struct SASLClient: Sendable {
    public let mechanism: SASLMechanism
    let user: String
    let password: String
    let clientNonce: String
    private var step = 0
    private var scram: (authMessage: String, saltedPassword: [UInt8])?

    public init(mechanism: SASLMechanism, user: String, password: String, clientNonce: String? = nil) {
        self.mechanism = mechanism
        self.user = user
        self.password = password
        self.clientNonce = clientNonce ?? Self.makeNonce()
    }

    static func makeNonce() -> String {
        var g = SystemRandomNumberGenerator()
        return Data((0..<18).map { _ in UInt8.random(in: 0...255, using: &g) }).base64EncodedString()
    }

    /// What to send with the AUTH command itself, if the mechanism starts with the client.
    public func initialResponse() -> [UInt8]? {
        switch mechanism {
        case .plain:
            // RFC 4616 §2: [authzid] NUL authcid NUL passwd
            return [0] + Array(user.utf8) + [0] + Array(password.utf8)
        case .scramSHA256:
            return Array(("n,," + scramClientFirstBare).utf8)
        case .cramMD5, .login:
            return nil
        }
    }

    /// RFC 5802 §5.1: `n=saslname,r=c-nonce`, with '=' and ',' escaped in the name.
    var scramClientFirstBare: String {
        let name = user.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        return "n=\(name),r=\(clientNonce)"
    }

    /// Answers one server challenge.
    public mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        defer { step += 1 }
        switch mechanism {
        case .plain:
            // Server sent an empty challenge because we did not use an initial response.
            return initialResponse() ?? []
        case .login:
            let prompt = String(decoding: challenge, as: UTF8.self).lowercased()
            if prompt.contains("user") || (step == 0 && !prompt.contains("pass")) { return Array(user.utf8) }
            return Array(password.utf8)
        case .cramMD5:
            // RFC 2195 §2: user SP hex(HMAC-MD5(password, challenge))
            let mac = HMAC<Insecure.MD5>.authenticationCode(for: challenge, using: SymmetricKey(data: Array(password.utf8)))
            return Array((user + " " + mac.map { String(format: "%02x", $0) }.joined()).utf8)
        case .scramSHA256:
            return try scramStep(challenge)
        }
    }

    private mutating func scramStep(_ challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        let text = String(decoding: challenge, as: UTF8.self)
        let fields = Self.attributes(text)
        if let e = fields["e"] { throw .serverError(e) }
        if let (authMessage, salted) = scram {
            // RFC 5802 §5.1 server-final-message: v=ServerSignature
            guard let v = fields["v"], let sig = Data(base64Encoded: v) else { throw .unexpectedChallenge(text) }
            let serverKey = Self.hmac(salted, Array("Server Key".utf8))
            guard Array(sig) == Self.hmac(serverKey, Array(authMessage.utf8)) else { throw .serverSignatureMismatch }
            return []
        }
        guard step == 0 || scram == nil, let nonce = fields["r"], let s = fields["s"], let iText = fields["i"],
              let salt = Data(base64Encoded: s), let iterations = Int(iText) else { throw .unexpectedChallenge(text) }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else { throw .badServerNonce }
        // RFC 7677 §4 asks for ≥ 4096; a hostile server could ask for billions to stall us.
        guard (1...1_000_000).contains(iterations) else { throw .iterationCountOutOfRange(iterations) }
        let salted = Self.hi(Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = Self.hmac(salted, Array("Client Key".utf8))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let withoutProof = "c=biws,r=\(nonce)"  // biws = base64("n,,"): no channel binding
        let authMessage = scramClientFirstBare + "," + text + "," + withoutProof
        let signature = Self.hmac(storedKey, Array(authMessage.utf8))
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        scram = (authMessage, salted)
        return Array((withoutProof + ",p=" + Data(proof).base64EncodedString()).utf8)
    }

    /// `a=1,b=2` → ["a": "1", "b": "2"]
    static func attributes(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in s.split(separator: ",") {
            guard let eq = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: eq) == 1 else { continue }
            out[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return out
    }

    static func hmac(_ key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    /// RFC 5802 §2.2: Hi(str, salt, i) = U1 XOR U2 XOR … XOR Ui (PBKDF2 with HMAC-SHA-256, one block).
    static func hi(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = u
        for _ in 1..<max(1, iterations) {
            u = Array(HMAC<SHA256>.authenticationCode(for: u, using: key))
            for j in 0..<result.count { result[j] ^= u[j] }
        }
        return result
    }
}
