// SPFBench: evaluates SPF for every "domain ip" line of a file against a DNS server and prints
// "domain ip result" per line, then the wall time on stderr. Driven by benchmarks/spf/bench.py.
import DNSClient
import DNSWire
import Foundation
import MailAuth

let args = CommandLine.arguments
guard args.count >= 3, let server = DNSServerAddress(parsing: args[2]) else {
    FileHandle.standardError.write(Data("usage: SPFBench PAIRS-FILE RESOLVER [CONCURRENCY] [cache]\n".utf8))
    exit(2)
}
let concurrency = args.count > 3 ? max(1, Int(args[3]) ?? 1) : 1
let useCache = args.count > 4 && args[4] == "cache"
let text = (try? String(contentsOfFile: args[1], encoding: .utf8)) ?? ""
let pairs: [(String, String)] = text.split(separator: "\n").compactMap { line in
    let p = line.split(separator: " ")
    return p.count == 2 ? (String(p[0]), String(p[1])) : nil
}
let resolver = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "bench"),
                                  cache: useCache)
let evaluator = SPFEvaluator(resolver: resolver)
let start = ContinuousClock.now
var results = [String](repeating: "", count: pairs.count)
await withTaskGroup(of: (Int, String).self) { group in
    var next = 0
    func add(_ group: inout TaskGroup<(Int, String)>) {
        guard next < pairs.count else { return }
        let i = next, (d, ip) = pairs[i]
        next += 1
        group.addTask {
            let r = await evaluator.checkHost(SPFRequest(ip: IPAddress(ip)!, sender: "postmaster@" + d, helo: d))
            return (i, r.result.rawValue)
        }
    }
    for _ in 0..<concurrency { add(&group) }
    while let (i, r) = await group.next() { results[i] = r; add(&group) }
}
let elapsed = ContinuousClock.now - start
var out = ""
for (i, (d, ip)) in pairs.enumerated() { out += "\(d) \(ip) \(results[i])\n" }
FileHandle.standardOutput.write(Data(out.utf8))
let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
FileHandle.standardError.write(Data("SPFBench: \(pairs.count) evaluations in \(String(format: "%.3f", secs)) s (concurrency \(concurrency), cache \(useCache))\n".utf8))
