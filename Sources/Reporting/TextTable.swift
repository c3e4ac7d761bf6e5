/// A plain-text table for terminal reports: columns padded to the widest cell, a rule under
/// the header. Cells are printed as given; callers escape peer-controlled text first.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) { self.header = header }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func rendered(indent: String = "") -> String {
        let columns = max(header.count, rows.map(\.count).max() ?? 0)
        var widths = Array(repeating: 0, count: columns)
        for row in [header] + rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ row: [String]) -> String {
            var out = indent
            for i in 0..<columns {
                let cell = i < row.count ? row[i] : ""
                out += i == columns - 1 ? cell : cell.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
            }
            while out.hasSuffix(" ") { out.removeLast() }
            return out
        }
        var lines = [line(header)]
        lines.append(indent + widths.enumerated().map { i, w in String(repeating: "-", count: w) + (i == columns - 1 ? "" : "  ") }.joined())
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}

import Foundation
