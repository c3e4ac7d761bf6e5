import Diagnosis
import Foundation
import MXRayServer

// benchmarks/serve/run uses this to seed a history: `ServeBench seed DB REPORT.json TARGETS RUNS`
// stores RUNS runs of each of TARGETS targets (t0…), copies of one real report with the times
// moved back one interval per run and every other run's port 587 flipped, so there are changes.

func fail(_ s: String) -> Never {
    FileHandle.standardError.write(Data("ServeBench: \(s)\n".utf8))
    exit(2)
}

let args = CommandLine.arguments
guard args.count == 6, args[1] == "seed", let targets = Int(args[4]), let runs = Int(args[5]) else {
    fail("usage: ServeBench seed DB REPORT.json TARGETS RUNS")
}
let decoder = JSONDecoder()
decoder.dateDecodingStrategy = .iso8601
let template: Report
do { template = try decoder.decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: args[3]))) } catch {
    fail("cannot read the report \(args[3]): \(error)")
}
let store: HistoryStore
do { store = try HistoryStore(path: args[2]) } catch { fail("\(error)") }
let clock = ContinuousClock()
let t0 = clock.now
let now = Date()
for run in 0..<runs {
    var report = template
    let shift = Double(runs - run) * 60
    report.startedAt = now.addingTimeInterval(-shift)
    report.finishedAt = report.startedAt.addingTimeInterval(template.durationSeconds)
    for target in 0..<targets {
        do { try await store.record(target: "t\(target)", report: report) } catch { fail("write: \(error)") }
    }
}
let seconds = Double((clock.now - t0).components.seconds) + Double((clock.now - t0).components.attoseconds) / 1e18
let size = (try? FileManager.default.attributesOfItem(atPath: args[2])[.size] as? Int) ?? 0
print(String(format: "seeded %d runs (%d targets × %d) in %.1f s (%.0f runs/s), database %.1f MB",
             targets * runs, targets, runs, seconds, Double(targets * runs) / seconds, Double(size) / 1e6))
