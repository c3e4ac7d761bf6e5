import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import LabSupport
import NIOCore
@testable import MXRayServer

/// A server context over the real lab, with auth on (one token, one user with TOTP).
enum WebTestSupport {
    static let token = "test-token-0123456789"
    static let password = "lab-dashboard-pass"
    static let totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    static let passwordHash = Bcrypt.hash(password, cost: 4)

    static func config(lab: LabEnvironment, targets: [TargetConfig] = [], alerts: AlertsConfig = AlertsConfig(),
                       allow: [String] = ["127.0.20.0/24", "127.0.40.0/24"]) -> ServeConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-web-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return ServeConfig(
            listen: ListenAddress(host: "127.0.0.1", port: 0), resolvers: [lab.resolver], caFile: lab.caFile,
            targets: targets, history: HistoryConfig(path: dir.appendingPathComponent("history.sqlite").path),
            alerts: alerts,
            auth: AuthConfig(tokens: [APIToken(name: "test", token: token)],
                             users: [UIUser(name: "admin", passwordHash: passwordHash, totpSecret: totpSecret)]),
            probe: ProbeConfig(allow: allow))
    }

    static func app(_ context: ServerContext) -> some ApplicationProtocol {
        Application(router: ServerApp.router(context: context))
    }

    static var bearer: HTTPFields { [.authorization: "Bearer \(token)"] }

    /// `name=value` pairs of the response's Set-Cookie headers.
    static func cookies(_ r: TestResponse) -> [String: String] {
        var out: [String: String] = [:]
        for v in r.headers[values: .setCookie] {
            let pair = v.split(separator: ";").first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
            else if parts.count == 1 { out[String(parts[0])] = "" }
        }
        return out
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let s = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        return ByteBuffer(string: s)
    }
}
