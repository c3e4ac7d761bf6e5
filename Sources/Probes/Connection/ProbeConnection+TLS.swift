import Foundation
import MailWire
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// TLS settings for probing: every protocol version the library still speaks, verification
/// recorded but not enforced, the system trust roots plus an optional extra CA file.
public struct ProbeTLSSettings: Sendable {
    public let context: NIOSSLContext

    /// - Parameter extraCAFile: a PEM bundle also trusted (the lab CA in tests).
    public init(extraCAFile: String? = nil) throws {
        var config = TLSConfiguration.makeClientConfiguration()
        config.minimumTLSVersion = .tlsv1
        // BoringSSL still checks the chain so we can record the result; the verification
        // callback below overrides its verdict, and the host name is checked by us.
        config.certificateVerification = .noHostnameVerification
        config.trustRoots = .default
        if let extraCAFile { config.additionalTrustRoots = [.file(extraCAFile)] }
        context = try NIOSSLContext(configuration: config)
    }
}

extension ProbeConnection {
    /// Starts TLS on this connection (after a STARTTLS exchange, or at once for implicit TLS)
    /// and waits for the handshake before `deadline`. The observation is stored in `tls`.
    ///
    /// RFC 3207 §4.2 / RFC 8314 §3: the client must not trust anything the server said before
    /// the handshake; callers throw away capabilities and ask again.
    public func startTLS(
        settings: ProbeTLSSettings, serverName: String?, mode: TLSObservation.Mode, deadline: NIODeadline
    ) async throws(ProbeReadError) -> TLSObservation {
        var obs = TLSObservation(mode: mode)
        let chain = NIOLockedValueBox<[Bool]>([])
        let sni = serverName.flatMap { Self.usableSNI($0) }
        note("TLS handshake start" + (sni.map { " (SNI \($0))" } ?? ""))
        let start = milliseconds
        let channel = self.channel
        do {
            try await channel.eventLoop.submit {
                let handler = try Self.makeTLSHandler(settings: settings, sni: sni, chain: chain)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            obs.error = "\(error)"
            tls = obs
            note("TLS setup failed: \(error)")
            throw .tls("\(error)")
        }
        // Wait for the handshake-completed event, an error or the deadline.
        while true {
            let (done, err, eof, generation) = inbox.state.withLockedValue { ($0.tlsHandshakeDone, $0.error, $0.eof, $0.generation) }
            if done { break }
            if let err {
                obs.error = "\(err)"
                tls = obs
                note("TLS handshake failed: \(err)")
                throw .tls("\(err)")
            }
            if eof {
                obs.error = "connection closed during the handshake"
                tls = obs
                note("TLS handshake failed: closed by peer")
                throw .tls("connection closed by the peer during the handshake")
            }
            if deadline <= .now() || Task.isCancelled {
                obs.error = "handshake did not complete before the deadline"
                tls = obs
                note("TLS handshake deadline passed")
                throw .tls("handshake did not complete before the deadline")
            }
            await inbox.wait(after: generation, deadline: deadline, eventLoop: channel.eventLoop)
        }
        obs.handshakeMilliseconds = milliseconds - start
        // The server's session tickets follow its Finished: acknowledge them at once (see
        // `ackPromptly`), so that a reply it writes behind them is not held back.
        ackPromptly()
        let results = chain.withLockedValue { $0 }
        obs.chainVerified = results.isEmpty ? nil : results.allSatisfy { $0 }
        do {
            let version = try await channel.nioSSL_tlsVersion().get()
            obs.version = version.map(Self.name)
            if let cert = try await channel.nioSSL_peerCertificate().get() {
                let info = try await channel.eventLoop.submit { CertificateSummary(cert) }.get()
                obs.leafCommonName = info.commonName
                obs.leafNames = info.names
                obs.leafNotAfter = info.notAfter
                if let sni { obs.nameMatches = HostnameMatch.matches(sni, names: info.names.isEmpty ? [info.commonName].compactMap { $0 } : info.names) }
            }
        } catch {
            note("TLS details unavailable: \(error)")
        }
        tls = obs
        note("TLS established \(obs.version ?? "?") in \(String(format: "%.1f", obs.handshakeMilliseconds ?? 0)) ms, chain "
             + (obs.chainVerified == true ? "verified" : "NOT verified")
             + (obs.nameMatches.map { $0 ? ", name matches" : ", name does NOT match" } ?? ""))
        return obs
    }

    private static func makeTLSHandler(settings: ProbeTLSSettings, sni: String?, chain: NIOLockedValueBox<[Bool]>) throws -> NIOSSLClientHandler {
        try DeprecationShim.make(settings: settings, sni: sni, chain: chain)
    }

    /// SNI carries host names only (RFC 6066 §3): no IP literals, no trailing dot.
    static func usableSNI(_ name: String) -> String? {
        var n = name
        if n.hasSuffix(".") { n.removeLast() }
        if n.isEmpty || n.contains(":") || n.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) }) { return nil }
        return n
    }

    static func name(_ v: TLSVersion) -> String {
        switch v {
        case .tlsv1: return "TLSv1.0"
        case .tlsv11: return "TLSv1.1"
        case .tlsv12: return "TLSv1.2"
        case .tlsv13: return "TLSv1.3"
        }
    }
}

/// Calls the deprecated initialiser from a deprecated context so the warning stays in one place.
private enum DeprecationShim {
    static func make(settings: ProbeTLSSettings, sni: String?, chain: NIOLockedValueBox<[Bool]>) throws -> NIOSSLClientHandler {
        try (Self.self as DeprecatedMaker.Type).makeHandler(settings: settings, sni: sni, chain: chain)
    }
}

private protocol DeprecatedMaker {
    static func makeHandler(settings: ProbeTLSSettings, sni: String?, chain: NIOLockedValueBox<[Bool]>) throws -> NIOSSLClientHandler
}

extension DeprecationShim: DeprecatedMaker {
    @available(*, deprecated)
    static func makeHandler(settings: ProbeTLSSettings, sni: String?, chain: NIOLockedValueBox<[Bool]>) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: settings.context, serverHostname: sni, verificationCallback: { result, _ in
            chain.withLockedValue { $0.append(result == .certificateVerified) }
            return .certificateVerified  // record, never enforce: probing goes on
        })
    }
}

/// The leaf facts a probe reports; deep certificate analysis belongs to the TLS scanner.
struct CertificateSummary: Sendable {
    let commonName: String?
    let names: [String]
    let notAfter: Double

    init(_ cert: NIOSSLCertificate) {
        // NIOSSL keeps the common name internal; its description carries it.
        let desc = cert.description
        if let r = desc.range(of: ";common_name=") {
            commonName = String(desc[r.upperBound...].prefix { $0 != ";" && $0 != ">" })
        } else {
            commonName = nil
        }
        var names: [String] = []
        for san in cert._subjectAlternativeNames() where san.nameType == .dnsName {
            names.append(String(decoding: san.contents, as: UTF8.self))
        }
        self.names = names
        notAfter = Double(cert.notValidAfter)
    }
}

/// RFC 6125 §6.4: DNS-ID matching, case-insensitive, a wildcard only as the whole left-most label.
public enum HostnameMatch {
    public static func matches(_ host: String, names: [String]) -> Bool {
        let h = host.lowercased().split(separator: ".")
        for name in names {
            let n = name.lowercased().split(separator: ".")
            guard n.count == h.count, !n.isEmpty else { continue }
            let firstOK = n[0] == "*" ? n.count > 2 : n[0] == h[0]
            if firstOK && Array(n.dropFirst()) == Array(h.dropFirst()) { return true }
        }
        return false
    }
}
