import Foundation
import MailCore
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import TLSWire

/// Fetches the chain the server presents through a full BoringSSL handshake (TLS 1.3
/// certificates are encrypted, so the hand-built hellos cannot see them), then analyses it.
struct TLSCertificateFetcher {
    let options: TLSScanOptions
    let group: any EventLoopGroup
    let deadlines: Deadlines

    /// SNI carries host names only (RFC 6066 §3): no IP literals.
    static func sni(_ host: String) -> String? { ProbeConnection.usableSNI(host) }

    func fetch() async -> CertificateReport? {
        let probe = TLSHelloProbe(options: options, group: group, deadlines: deadlines)
        return await fetch(on: await probe.openAndPrepare())
    }

    /// The handshake on a connection already through its preamble (e.g. a primed one).
    func fetch(on prepared: Result<ProbeConnection, TLSHelloProbe.PreambleError>) async -> CertificateReport? {
        guard case .success(let c) = prepared else { return nil }
        defer { c.abort() }
        let captured = NIOLockedValueBox<[[UInt8]]>([])
        do {
            var config = TLSConfiguration.makeClientConfiguration()
            config.minimumTLSVersion = .tlsv1
            config.certificateVerification = .noHostnameVerification
            let context = try NIOSSLContext(configuration: config)
            let sni = Self.sni(options.host)
            let channel = c.channel
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: sni) { certs, promise in
                    // Record the chain exactly as presented; trust is judged by swift-certificates.
                    captured.withLockedValue { $0 = certs.compactMap { try? $0.toDERBytes() } }
                    promise.succeed(.certificateVerified)
                }
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            return nil
        }
        _ = await c.handshakeCompleted(by: deadlines.step(options.stepTimeout))
        let chain = captured.withLockedValue { $0 }
        guard !chain.isEmpty else { return nil }
        let version = try? await c.channel.nioSSL_tlsVersion().get()
        var report = await CertificateAnalyzer(caFile: options.caFile, now: options.clock.now()).analyze(chain: chain, host: options.host)
        report.fetchedWith = version.map(ProbeConnection.name)
        return report
    }
}

extension ProbeConnection {
    /// Waits until the TLS handler in the pipeline has finished its handshake: true when it
    /// did, false when the connection failed or closed, or `deadline` came first.
    func handshakeCompleted(by deadline: NIODeadline) async -> Bool {
        while true {
            let (done, failed, generation) = inbox.state.withLockedValue { ($0.tlsHandshakeDone, $0.error != nil || $0.eof, $0.generation) }
            if done { return true }
            if failed || deadline <= .now() || Task.isCancelled { return false }
            await inbox.wait(after: generation, deadline: deadline, eventLoop: channel.eventLoop)
        }
    }
}
