/// What the TLS scanner observed on one port: the contract between the scanner (Probes), the
/// grading (Diagnosis) and the renderers (Reporting). Codable; field names are stable.
public struct TLSScanResult: Sendable, Codable, Hashable {
    /// The note a scan leaves when the certificate's full handshake failed.
    public static let certificateFailedNote = "certificate: full handshake failed"

    public enum Status: String, Sendable, Codable {
        /// Every test ran.
        case completed
        /// The server did not let the scan run (421, throttling, timeouts): nothing is known.
        case couldNotTest = "could-not-test"
        /// The port answers but offers no TLS (no STARTTLS, or no TLS version accepted).
        case noTLS = "no-tls"
        /// Nothing listens, or the connection is filtered.
        case unreachable
    }

    public var host: String
    public var address: String
    public var port: Int
    /// smtp, imap, pop3 or nil for implicit TLS.
    public var starttls: String?
    public var status: Status = .completed
    public var statusDetail: String?
    public var versions: [VersionResult] = []
    /// TLS 1.3 groups the server accepts (a set, in the scanner's candidate order), found
    /// through HelloRetryRequest.
    public var groups: [UInt16] = []
    /// TLS ≤1.2 ECDHE groups the server accepts (a set, in candidate order), from ServerKeyExchange.
    public var groupsTLS12: [UInt16] = []
    /// Bits of the DHE prime when a DHE suite was accepted.
    public var dhPrimeBits: Int?
    public var features = TLSFeatures()
    public var certificate: CertificateReport?
    public var dane: DANEReport?
    /// Handshakes started (for the benchmark and politeness accounting).
    public var connections = 0
    public var milliseconds: Double = 0
    /// Notes of what happened (errors per probe, deadlines): evidence lines.
    public var notes: [String] = []

    public init(host: String, address: String, port: Int, starttls: String?) {
        self.host = host
        self.address = address
        self.port = port
        self.starttls = starttls
    }

    public var acceptedVersions: [TLSProtocolVersion] { versions.filter { $0.accepted == true }.map(\.version) }
    public var postQuantumGroups: [UInt16] { groups.filter(NamedGroup.isPostQuantum) }
    public var subject: String { "\(host):\(port)" }
}

/// One protocol version: accepted or not, and the suites in the server's order.
public struct VersionResult: Sendable, Codable, Hashable {
    public var version: TLSProtocolVersion
    /// nil when it could not be tested.
    public var accepted: Bool?
    /// Accepted suites, server preference first (when the server enforces one), else as found.
    public var suites: [UInt16] = []
    /// Whether the server picks by its own order (nil: fewer than two suites, or not tested).
    public var serverOrder: Bool?
    /// Why the version is rejected or untested (alert name, "version downgraded to …").
    public var detail: String?

    public init(version: TLSProtocolVersion, accepted: Bool?) {
        self.version = version
        self.accepted = accepted
    }
}

/// Protocol features seen in the ServerHellos (nil = not determined).
public struct TLSFeatures: Sendable, Codable, Hashable {
    /// RFC 5746: renegotiation_info answered.
    public var secureRenegotiation: Bool?
    /// RFC 3749: DEFLATE chosen when offered (CRIME).
    public var compression: Bool?
    /// RFC 7627: extended_master_secret answered (TLS ≤1.2; always in 1.3).
    public var extendedMasterSecret: Bool?
    /// RFC 6066 §8: status_request answered / CertificateStatus sent.
    public var ocspStapling: Bool?
    /// RFC 5077: session_ticket answered.
    public var sessionTickets: Bool?
    /// A non-empty session id in a TLS ≤1.2 ServerHello (session cache).
    public var sessionIDs: Bool?
    /// RFC 7507: a lower-version hello with TLS_FALLBACK_SCSV is refused with inappropriate_fallback.
    public var fallbackSCSV: Bool?
    /// TLS 1.2 resumption attempted after a full handshake: the server echoed the session id of a
    /// hello offering the ticket it issued (RFC 5077 §3.4). nil: no ticket issued, or not tested.
    public var resumedWithTicket: Bool?
    /// The same with the session id of the full handshake and no ticket (RFC 5246 §7.4.1.3).
    /// nil: the server gave no session id, or not tested.
    public var resumedWithSessionID: Bool?
    public init() {}
}

/// The certificate chain as presented and what swift-certificates made of it.
public struct CertificateReport: Sendable, Codable, Hashable {
    public struct Entry: Sendable, Codable, Hashable {
        public var subject: String
        public var issuer: String
        public var notBefore: Double
        public var notAfter: Double
        public var keyType: String
        public var keyBits: Int
        public var signatureAlgorithm: String
        public var selfSigned: Bool
        public var sha256: String
        public init(subject: String, issuer: String, notBefore: Double, notAfter: Double, keyType: String,
                    keyBits: Int, signatureAlgorithm: String, selfSigned: Bool, sha256: String) {
            self.subject = subject; self.issuer = issuer; self.notBefore = notBefore; self.notAfter = notAfter
            self.keyType = keyType; self.keyBits = keyBits; self.signatureAlgorithm = signatureAlgorithm
            self.selfSigned = selfSigned; self.sha256 = sha256
        }
    }

    /// Leaf first, as the server sent them.
    public var chain: [Entry] = []
    /// DER of the presented chain, base64 (for DANE and evidence).
    public var chainDER: [[UInt8]] = []
    /// DER SubjectPublicKeyInfo of each certificate (DANE selector 1, RFC 6698 §2.1.2).
    public var spkiDER: [[UInt8]] = []
    public var sans: [String] = []
    /// Checked against the host the scan was pointed at (RFC 6125 §6.4, the CN only when there is
    /// no subjectAltName, as Postfix and Exim still do).
    public var nameMatches: Bool = false
    /// The name matched only through the CN (no subjectAltName): MTA-STS senders require a
    /// subjectAltName DNS-ID (RFC 8461 §4.2; RFC 8460's certificate-host-mismatch), and RFC 9525
    /// §6.3 clients no longer read the CN. nil when not known (older results).
    public var nameOnlyInCommonName: Bool?
    /// A path to a trusted root was found (system roots or --ca-file).
    public var trusted: Bool = false
    public var trustDetail: String?
    /// The chain is not trusted, but would be with the missing intermediate: the server sends
    /// only the leaf although the issuer is not a root.
    public var incompleteChain: Bool = false
    public var daysToExpiry: Int = 0
    /// The TLS version of the full handshake that fetched it.
    public var fetchedWith: String?
    public init() {}
}

/// DANE TLSA results for `_port._tcp.host` (RFC 6698, RFC 7672).
public struct DANEReport: Sendable, Codable, Hashable {
    public struct RecordResult: Sendable, Codable, Hashable {
        public var usage: UInt8
        public var selector: UInt8
        public var matchingType: UInt8
        public var data: String
        /// match, mismatch, unusable (e.g. PKIX-TA usage on port 25, RFC 7672 §3.1.3).
        public var result: String
        public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: String, result: String) {
            self.usage = usage; self.selector = selector; self.matchingType = matchingType; self.data = data; self.result = result
        }
    }
    public var name: String
    /// The TLSA answer carried AD (validated by the resolver).
    public var authentic: Bool
    public var records: [RecordResult] = []
    /// no-records, error text, … when there is nothing to match.
    public var lookupStatus: String
    public init(name: String, authentic: Bool, lookupStatus: String) {
        self.name = name; self.authentic = authentic; self.lookupStatus = lookupStatus
    }
    public var anyMatch: Bool { records.contains { $0.result == "match" } }
}
