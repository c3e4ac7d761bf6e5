import DNSClient
import DNSWire
import Foundation
import LabSupport
import MailCore
import Reporting
import Testing
@testable import Diagnosis

/// Against the lab: for every scenario domain, what the locate stage finds equals what `kdig`
/// (Knot's client, an independent implementation) finds for the same names through the same
/// resolver; and the text and JSON reports tell each scenario's story.
@Suite struct LabLocateTests {
    static let lab = try? LabEnvironment.require()
    static var domains: [String] {
        let d = lab?.domains ?? []
        return d.isEmpty ? ["good.lab.test", "weak.lab.test", "broken.lab.test", "nullmx.lab.test"] : d
    }

    func locate(_ domain: String) async throws -> (LocateResult, LabEnvironment) {
        let lab = try LabEnvironment.require()
        let server = try #require(DNSServerAddress(parsing: lab.resolver))
        let resolver = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2)))
        return (await LocateStage(resolver: resolver).run(try DomainName(domain)), lab)
    }

    /// Runs a peer tool to its end on this thread. (Not `LabEnvironment.run`: it waits on a
    /// semaphore for a Task, which deadlocks when parallel async tests fill the cooperative pool.)
    static func tool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `kdig @server +short TYPE name` lines.
    func kdig(_ server: String, _ args: String...) throws -> [String] {
        let (status, out) = try Self.tool(["kdig", "@" + server, "+short", "+timeout=2", "+retry=1"] + args)
        #expect(status == 0, "kdig \(args) failed: \(out)")
        return out.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(";;") && !$0.isEmpty }
    }

    @Test(arguments: domains)
    func locateAgreesWithKdig(_ domain: String) async throws {
        let (r, lab) = try await locate(domain)
        let resolver = lab.resolver

        // The MX set, as presentation lines.
        let kdigMX = try kdig(resolver, "MX", domain)
        #expect(Set(r.mxRecords.map { "\($0.preference) \($0.exchange.presentation)" }) == Set(kdigMX))

        for host in r.hosts {
            // Addresses (kdig prints the CNAME chain first; keep the addresses).
            let kdigAddrs = try (kdig(resolver, "A", host.name.description) + kdig(resolver, "AAAA", host.name.description))
                .compactMap { IPAddress($0) }
            #expect(Set(host.addresses.map(\.address)) == Set(kdigAddrs), "addresses of \(host.name)")
            let kdigChain = try kdig(resolver, "A", host.name.description).filter { IPAddress($0) == nil }
            #expect(host.cnameChain.map(\.presentation) == kdigChain, "CNAME chain of \(host.name)")
            for a in host.addresses {
                let kdigPTR = try kdig(resolver, "-x", a.address.description)
                #expect(Set(a.ptrNames.map(\.presentation)) == Set(kdigPTR), "PTR of \(a.address)")
                // Forward-confirmed: some PTR name's A/AAAA includes the address.
                var confirmed = false
                for ptr in kdigPTR {
                    let back = try kdig(resolver, a.address.isIPv6 ? "AAAA" : "A", ptr).compactMap { IPAddress($0) }
                    if back.contains(a.address) { confirmed = true }
                }
                #expect(a.fcrdns == confirmed, "FCrDNS of \(a.address)")
            }
        }

        // The zone's serial, asked of the authoritative server directly.
        if let zone = r.zone {
            let soa = try kdig(lab.authoritative, "SOA", zone.apex.description)
            let serial = soa.first?.split(separator: " ").dropFirst(2).first.flatMap { UInt32($0) }
            #expect(zone.nameservers.compactMap(\.soaSerial).allSatisfy { $0 == serial })
            #expect(zone.nameservers.allSatisfy { $0.status == .ok })
        }

        // AD on the MX answer, as kdig +dnssec reports the header flags.
        let (_, full) = try Self.tool(["kdig", "@" + resolver, "+dnssec", "+timeout=2", "MX", domain])
        let flagsLine = full.split(separator: "\n").first { $0.hasPrefix(";; Flags:") } ?? ""
        let kdigAD = flagsLine.split(separator: ";").first?.split(separator: " ").contains("ad") ?? false
        #expect(r.mxAuthenticated == kdigAD)
        #expect(r.dnssec.state == .validated)
    }

    @Test func goodTellsAGoodStory() async throws {
        let (r, _) = try await locate("good.lab.test")
        #expect(r.mxKind == .explicit)
        #expect(r.findings.isEmpty)
        #expect(r.hosts.count == 2 && r.hosts.allSatisfy { $0.addresses.allSatisfy(\.fcrdns) })
        let text = DNSReportRenderer.text(r)
        #expect(text.contains("mx1.good.lab.test.") && text.contains("127.0.20.1") && text.contains("Findings: none."))
        #expect(text.contains("DNSSEC: signed and validated"))
        let json = try DNSReportRenderer.json(r)
        #expect(json.contains("\"mxKind\" : \"explicit\"") && json.contains("\"traces\""))
    }

    @Test func brokenShowsEachPlantedFault() async throws {
        let (r, _) = try await locate("broken.lab.test")
        let ids = Set(r.findings.map(\.id))
        #expect(ids == ["dns.mx.cname", "dns.mx.nxdomain", "dns.fcrdns.mismatch"])
        #expect(r.findings.first { $0.id == "dns.mx.cname" }?.subject == "mx-alias.broken.lab.test")
        #expect(r.findings.first { $0.id == "dns.mx.nxdomain" }?.subject == "mx-missing.broken.lab.test")
        #expect(r.findings.first { $0.id == "dns.fcrdns.mismatch" }?.subject.hasPrefix("127.0.40.4") == true)
        let text = DNSReportRenderer.text(r)
        #expect(text.contains("mx-alias.broken.lab.test. → mx-real.broken.lab.test."))
        #expect(text.contains("(does not exist)"))
        let json = try DNSReportRenderer.json(r)
        #expect(json.contains("\"dns.mx.cname\"") && json.contains("\"rttMicroseconds\""))
    }

    @Test func nullMXSaysNoMail() async throws {
        let (r, _) = try await locate("nullmx.lab.test")
        #expect(r.mxKind == .nullMX)
        #expect(r.findings.map(\.id) == ["dns.mx.null"])
        #expect(r.hosts.isEmpty)
        #expect(DNSReportRenderer.text(r).contains("null MX"))
    }

    @Test func weakHasNoPTR() async throws {
        let (r, _) = try await locate("weak.lab.test")
        #expect(r.findings.map(\.id) == ["dns.ptr.missing"])
    }

    @Test func unknownDomainIsNXDOMAIN() async throws {
        let (r, _) = try await locate("no-such-domain.lab.test")
        #expect(r.mxKind == .nxdomain)
    }
}
