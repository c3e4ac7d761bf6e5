import MailCore
import MailWire

/// What a mail client needs for one service: the host, port and security to use.
public enum ClientService: String, Sendable, Codable, CaseIterable, Comparable {
    case imap, pop3
    /// Message submission (RFC 6409), on 465 (implicit TLS) or 587 (STARTTLS).
    case smtp

    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    var wireProtocol: MailService.WireProtocol {
        switch self {
        case .imap: return .imap
        case .pop3: return .pop3
        case .smtp: return .smtp
        }
    }
}

/// How the connection is protected (RFC 8314 §3 implicit TLS, §4 STARTTLS, or none).
public enum ClientSecurity: String, Sendable, Codable, Comparable {
    /// Implicit TLS from the first byte (RFC 8314 §3; "SSL" in client configuration files).
    case ssl
    case starttls
    case plain

    /// RFC 8314 §3 prefers implicit TLS, then STARTTLS; plain text last.
    var rank: Int { self == .ssl ? 0 : self == .starttls ? 1 : 2 }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// Where a candidate setting came from, in the order mail clients consult them.
public enum ClientSourceKind: String, Sendable, Codable, Comparable {
    /// RFC 6186 / RFC 8314 §5.1 SRV records.
    case srv
    /// Mozilla autoconfig (`config-v1.1.xml`).
    case autoconfig
    /// Microsoft Autodiscover (POX, MS-OXDISCO).
    case autodiscover
    /// mxray's provider catalog, from the MX hosts.
    case provider
    /// A conventional name (`imap.<domain>`) that resolves.
    case guess

    var rank: Int { [.srv, .autoconfig, .autodiscover, .provider, .guess].firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    /// Published by the domain itself (as opposed to catalog knowledge or a guess).
    public var published: Bool { self == .srv || self == .autoconfig || self == .autodiscover }
}

public struct ClientSource: Sendable, Codable, Hashable {
    public var kind: ClientSourceKind
    /// `_imaps._tcp.example.org SRV 0 1 993 mail.example.org.`, a URL, `MX … → Google`.
    public var detail: String
    public var evidenceID: String?

    public init(kind: ClientSourceKind, detail: String, evidenceID: String? = nil) {
        self.kind = kind; self.detail = detail; self.evidenceID = evidenceID
    }
}

/// One setting some source proposes; candidates with the same service, host, port and
/// security are merged and keep every source.
public struct ClientCandidate: Sendable, Codable, Hashable {
    public var service: ClientService
    public var host: String
    public var port: Int
    public var security: ClientSecurity
    /// The login name the source gives (autoconfig `%EMAILADDRESS%` already expanded).
    public var username: String?
    public var sources: [ClientSource]
    /// SRV priority (lower first); 0 for other sources.
    public var priority: Int

    public init(service: ClientService, host: String, port: Int, security: ClientSecurity, username: String? = nil,
                sources: [ClientSource], priority: Int = 0) {
        self.service = service
        self.host = Self.normalised(host)
        self.port = port
        self.security = security
        self.username = username
        self.sources = sources
        self.priority = priority
    }

    static func normalised(_ host: String) -> String {
        var h = host.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        return h
    }

    var key: String { "\(service.rawValue)|\(host)|\(port)|\(security.rawValue)" }
    var bestSource: ClientSourceKind { sources.map(\.kind).min() ?? .guess }
    public var label: String { "\(service.rawValue) \(host):\(port) \(security.rawValue)" }
}

/// What probing one candidate showed.
public struct ClientProbeResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        /// The port answers the protocol with the published security and offers authentication.
        case confirmed
        /// It answers, but with another security than published (SSL vs STARTTLS).
        case securityMismatch = "security-mismatch"
        /// It answers without TLS (published as plain text, or STARTTLS not offered).
        case insecure
        /// It answers and TLS works, but it offers no authentication mechanism.
        case noAuth = "no-auth"
        /// The TLS handshake failed.
        case tlsFailed = "tls-failed"
        /// Open, but a non-standard port: the protocol was not checked.
        case openUnverified = "open-unverified"
        /// Refused, filtered, or the dialogue failed.
        case unreachable
        /// The host name has no address.
        case noAddress = "no-address"
        /// Not probed (no prober, or the deadline came first).
        case notProbed = "not-probed"
    }

    public var status: Status
    public var address: String?
    /// `open`, `refused`, `filtered` … as the probe saw the connection.
    public var connect: String?
    public var tlsVersion: String?
    /// Whether the certificate verified and named the host (nil when no TLS).
    public var certificateValid: Bool?
    public var authMechanisms: [String]
    public var detail: String
    public var evidenceID: String?

    public init(status: Status, address: String? = nil, connect: String? = nil, tlsVersion: String? = nil,
                certificateValid: Bool? = nil, authMechanisms: [String] = [], detail: String, evidenceID: String? = nil) {
        self.status = status; self.address = address; self.connect = connect; self.tlsVersion = tlsVersion
        self.certificateValid = certificateValid; self.authMechanisms = authMechanisms; self.detail = detail
        self.evidenceID = evidenceID
    }

    var usable: Bool { status == .confirmed }
}

/// A login with a candidate's settings (the password never appears here).
public struct ClientLoginResult: Sendable, Codable, Hashable {
    /// `authenticated`, `rejected`, `connectFailed` … (`LoginObservation.Status`).
    public var status: String
    public var user: String
    public var mechanism: String?
    public var detail: String?
    public var milliseconds: Double

    public init(status: String, user: String, mechanism: String? = nil, detail: String? = nil, milliseconds: Double) {
        self.status = status; self.user = user; self.mechanism = mechanism; self.detail = detail; self.milliseconds = milliseconds
    }

    public var succeeded: Bool { status == "authenticated" }
}

/// A candidate with what probing (and the login, when a password was given) showed.
public struct CheckedCandidate: Sendable, Codable, Hashable {
    public var candidate: ClientCandidate
    public var probe: ClientProbeResult
    public var login: ClientLoginResult?

    public init(candidate: ClientCandidate, probe: ClientProbeResult, login: ClientLoginResult? = nil) {
        self.candidate = candidate; self.probe = probe; self.login = login
    }
}

/// The answer of `mxray locate`: per service the setting a client should use, with its sources,
/// and every candidate that was considered.
public struct ClientLocateResult: Sendable, Codable {
    public var email: String
    public var domain: DomainName
    /// One per service found usable, best first within a service (imap, pop3, smtp).
    public var recommended: [CheckedCandidate]
    public var candidates: [CheckedCandidate]
    /// Which sources answered and what they said (`SRV: 6 records`, `autoconfig: 404`).
    public var sourceNotes: [String]
    public var findings: [Finding]
    public var evidence: [Evidence]
    public var loginTried: Bool
    public var milliseconds: Double

    public init(email: String, domain: DomainName, recommended: [CheckedCandidate], candidates: [CheckedCandidate],
                sourceNotes: [String], findings: [Finding], evidence: [Evidence], loginTried: Bool, milliseconds: Double) {
        self.email = email; self.domain = domain; self.recommended = recommended; self.candidates = candidates
        self.sourceNotes = sourceNotes; self.findings = findings; self.evidence = evidence; self.loginTried = loginTried
        self.milliseconds = milliseconds
    }

    /// Services a client needs that no source confirmed.
    public var missing: [ClientService] {
        let have = Set(recommended.map(\.candidate.service))
        return [ClientService.imap, .smtp].filter { !have.contains($0) }
    }
}

/// An HTTP(S) request as the locate code asks for it; the I/O layer performs it (no redirects
/// followed, bounded body, names resolved through the run's resolver).
public struct HTTPFetchRequest: Sendable, Hashable {
    public var scheme: String
    public var host: DomainName
    public var path: String
    public var method: String
    public var body: [UInt8]?
    public var contentType: String?

    public init(scheme: String = "https", host: DomainName, path: String, method: String = "GET", body: [UInt8]? = nil,
                contentType: String? = nil) {
        self.scheme = scheme; self.host = host; self.path = path; self.method = method; self.body = body
        self.contentType = contentType
    }

    public var url: String { "\(scheme)://\(host.description)\(path)" }
}

public struct HTTPFetchResponse: Sendable, Hashable {
    public var address: String?
    public var status: Int?
    public var contentType: String?
    public var location: String?
    public var body: [UInt8]
    public var error: String?
    public var milliseconds: Int

    public init(address: String? = nil, status: Int? = nil, contentType: String? = nil, location: String? = nil,
                body: [UInt8] = [], error: String? = nil, milliseconds: Int = 0) {
        self.address = address; self.status = status; self.contentType = contentType; self.location = location
        self.body = body; self.error = error; self.milliseconds = milliseconds
    }
}

/// HTTP as the locate code sees it.
public protocol HTTPFetching: Sendable {
    func fetch(_ request: HTTPFetchRequest, timeout: Duration) async -> HTTPFetchResponse
}

/// Logging in with a candidate's settings, as the locate code sees it (the I/O layer runs the
/// real `login` code).
public protocol ClientLoginTesting: Sendable {
    func login(_ candidate: ClientCandidate, address: String, user: String, password: String,
               timeout: Duration) async -> ClientLoginResult
}
