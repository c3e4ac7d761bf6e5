import DNSClient
import DNSWire
import Foundation
import MailCore
#if canImport(Glibc)
import Glibc
#endif

// Resolves every name of a file (one per line) through one resolver with at most N queries in
// flight, and prints one JSON line: queries, seconds, queries/s, statuses, peak RSS. With
// --answers FILE it also writes "name status sorted-addresses" lines for comparison with a peer.
// Usage: BenchDNS --resolver HOST[:PORT] [--concurrency N] [--type A] [--answers FILE] NAMES

func option(_ name: String, _ args: inout [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    defer { args.removeSubrange(i...(i + 1)) }
    return args[i + 1]
}
func benchmark() async {
    var args = Array(CommandLine.arguments.dropFirst())
    guard let resolverText = option("--resolver", &args), let server = DNSServerAddress(parsing: resolverText) else {
        FileHandle.standardError.write(Data("usage: BenchDNS --resolver HOST[:PORT] [--concurrency N] [--type A] [--answers FILE] NAMES\n".utf8))
        exit(2)
    }
    let concurrency = Int(option("--concurrency", &args) ?? "100") ?? 100
    let type = DNSRecordType(mnemonic: option("--type", &args) ?? "A") ?? .a
    let answersPath = option("--answers", &args)
    guard let path = args.first, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("cannot read the names file\n".utf8))
        exit(2)
    }
    let names = text.split(separator: "\n").compactMap { try? DomainName(String($0)) }

    // No cache: every name is asked of the server, as the peer does.
    let resolver = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2),
                                      cache: false)
    let start = ContinuousClock.now
    let results: [(Int, DNSAnswer)] = await withTaskGroup(of: (Int, DNSAnswer).self) { group in
        var out: [(Int, DNSAnswer)] = []
        out.reserveCapacity(names.count)
        var next = 0
        while next < min(concurrency, names.count) {
            let i = next
            group.addTask { (i, await resolver.resolve(DNSQuery(names[i], type, dnssecOK: false))) }
            next += 1
        }
        while let r = await group.next() {
            out.append(r)
            if next < names.count {
                let i = next
                group.addTask { (i, await resolver.resolve(DNSQuery(names[i], type, dnssecOK: false))) }
                next += 1
            }
        }
        return out
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

    var statuses: [String: Int] = [:]
    for (_, a) in results { statuses[a.status.rawValue, default: 0] += 1 }
    if let answersPath {
        var lines: [String] = []
        lines.reserveCapacity(results.count)
        for (i, a) in results.sorted(by: { $0.0 < $1.0 }) {
            let values = a.rdata.map(\.description).sorted().joined(separator: ",")
            lines.append("\(names[i]) \(a.status.rawValue) \(values)")
        }
        try? (lines.joined(separator: "\n") + "\n").write(toFile: answersPath, atomically: true, encoding: .utf8)
    }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let statusJSON = statuses.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
    print("{\"tool\": \"mxray\", \"queries\": \(names.count), \"concurrency\": \(concurrency), \"seconds\": \(String(format: "%.3f", seconds)), "
          + "\"qps\": \(String(format: "%.0f", Double(names.count) / seconds)), \"peak_rss_mb\": \(String(format: "%.1f", Double(usage.ru_maxrss) / 1024)), "
          + "\"statuses\": {\(statusJSON)}}")
}

await benchmark()
