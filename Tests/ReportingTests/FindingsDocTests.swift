import Foundation
import Testing
import Diagnosis
@testable import Reporting

@Suite struct FindingsDocTests {
    static let docPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/findings.md").path

    @Test func docsFindingsIsUpToDate() throws {
        let onDisk = try String(contentsOfFile: Self.docPath, encoding: .utf8)
        #expect(onDisk == FindingsDocRenderer.markdown(),
                "docs/findings.md is stale: run `swift run mxray findings --format markdown > docs/findings.md`")
    }

    @Test func everyFindingIsDocumented() {
        let doc = FindingsDocRenderer.markdown()
        for d in FindingCatalog.all {
            #expect(doc.contains("### `\(d.id)`"))
        }
    }

    @Test func pipesInTitlesAreEscaped() {
        let d = FindingDefinition(id: "x.y", severity: .info, title: "a | b", remediation: "r")
        #expect(FindingsDocRenderer.markdown([d]).contains("| `x.y` | info | a \\| b |"))
    }
}
