import Diagnosis
import Foundation
import LabSupport
import NIOCore
import NIOPosix
import NIOSSL
import Probes
import Testing
import TLSWire

/// An in-process BoringSSL server (swift-nio-ssl) on loopback, with or without the
/// X25519MLKEM768 hybrid: the scanner must tell them apart through HelloRetryRequest.
@Suite(.serialized) struct PostQuantumTests {
    final class Discard: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    static func withServer<T>(curves: [UInt16], _ body: (Int) async throws -> T) async throws -> T {
        let lab = try LabEnvironment.require()
        let dir = (lab.caFile as NSString).deletingLastPathComponent
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile("\(dir)/good.crt").map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: "\(dir)/good.key", format: .pem)))
        config.minimumTLSVersion = .tlsv12
        config.curves = curves.map(NIOTLSCurve.init(rawValue:))
        let context = try NIOSSLContext(configuration: config)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try ch.pipeline.syncOperations.addHandler(Discard())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 0
        do {
            let r = try await body(port)
            try await server.close()
            return r
        } catch {
            try? await server.close()
            throw error
        }
    }

    func scan(port: Int) async -> TLSScanResult {
        var o = TLSScanOptions(host: "mx1.good.lab.test", address: "127.0.0.1", port: port, starttls: nil)
        o.fetchCertificate = false
        o.overallTimeout = .seconds(30)
        return await TLSScanner(options: o).scan()
    }

    @Test func serverWithX25519MLKEM768IsPostQuantumReady() async throws {
        let r = try await Self.withServer(curves: [NamedGroup.x25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1]) { port in await scan(port: port) }
        #expect(r.acceptedVersions.contains(.tls13))
        #expect(r.groups.contains(NamedGroup.x25519MLKEM768))
        #expect(r.groups.contains(NamedGroup.x25519))
        let a = TLSAssessment(scan: r)
        #expect(a.postQuantumReady)
        #expect(a.findings.contains { $0.id == "tls.pq.ready" })
    }

    @Test func serverWithoutHybridIsNotPostQuantumReady() async throws {
        let r = try await Self.withServer(curves: [NamedGroup.x25519, NamedGroup.secp256r1]) { port in await scan(port: port) }
        #expect(r.acceptedVersions.contains(.tls13))
        #expect(Set(r.groups) == [NamedGroup.x25519, NamedGroup.secp256r1])
        #expect(r.postQuantumGroups.isEmpty)
        let a = TLSAssessment(scan: r)
        #expect(!a.postQuantumReady)
        #expect(a.findings.contains { $0.id == "tls.pq.missing" })
    }
}
