import Diagnosis
import Foundation
import LabSupport
import Reporting
import Testing

/// The HTML report of a real lab check, opened in headless Chromium (Debian `chromium`): it
/// renders, logs no console message, and leaves a screenshot in out/test-artifacts/.
@Suite("HTML report in headless Chromium", .serialized)
struct HTMLReportTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func chromium() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("broken.lab.test's HTML report renders with no console error; screenshot saved")
    func rendersInChromium() async throws {
        guard let browser = Self.chromium() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("chromium is not installed (apt-get install chromium)")
            } else {
                print("HTMLReportTests: skipped, chromium is not installed (apt-get install chromium)")
            }
            return
        }
        let report = try await CheckLabTests.check("broken.lab.test", symptom: .bounce)
        let html = ReportHTMLRenderer().render(report)
        let dir = Self.repo.appendingPathComponent("out/test-artifacts")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let page = dir.appendingPathComponent("check-broken.html")
        let shot = dir.appendingPathComponent("check-broken.png")
        try html.write(to: page, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: shot)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
                      "--enable-logging=stderr", "--v=0", "--window-size=1200,2000"]
        let (status, log) = try LabEnvironment.run(common + ["--screenshot=\(shot.path)", page.absoluteString], timeout: 60)
        #expect(status == 0, "\(log.suffix(2000))")
        // Console messages (errors included) are logged as CONSOLE(line); the report has no script.
        let console = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(console.isEmpty, "\(console)")
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot \(shot.path) is \(size) bytes")
        let (domStatus, dom) = try LabEnvironment.run(common + ["--dump-dom", page.absoluteString], timeout: 60)
        #expect(domStatus == 0)
        #expect(dom.contains("Mail check: broken.lab.test"))
        #expect(dom.contains("Root causes"))
    }
}
