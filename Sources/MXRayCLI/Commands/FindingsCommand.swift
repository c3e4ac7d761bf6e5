import ArgumentParser
import Diagnosis
import Reporting

struct FindingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings",
        abstract: "List every finding mxray can raise, with its id, severity and fix.",
        discussion: """
        Example:
          mxray findings
          mxray findings --format markdown > docs/findings.md
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

    @Option(help: "Output format: text, markdown or json.")
    var format: Format = .text

    func run() throws {
        switch format {
        case .text: print(FindingsDocRenderer.text())
        case .markdown: print(FindingsDocRenderer.markdown(), terminator: "")
        case .json: print(try JSONOutput.encode(FindingCatalog.all))
        }
    }
}
