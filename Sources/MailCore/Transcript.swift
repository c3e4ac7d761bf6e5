import Foundation

/// A timed record of one protocol session, usable as evidence in a report.
///
/// Every line carries its direction and the milliseconds since the session started. Secrets
/// never enter a transcript: callers record AUTH payloads through `recordRedacted`, which keeps
/// only the command verb and mechanism.
public struct Transcript: Sendable, Codable, Equatable {
    public enum Direction: String, Sendable, Codable {
        /// Bytes we sent to the peer.
        case sent = "C"
        /// Bytes the peer sent to us.
        case received = "S"
        /// A note of ours: connect, TLS boundary, timeout, close.
        case event = "*"
    }

    public struct Line: Sendable, Codable, Equatable {
        public let direction: Direction
        /// Milliseconds since the session started, with microsecond resolution.
        public let milliseconds: Double
        public let text: String
        public let redacted: Bool

        public init(direction: Direction, milliseconds: Double, text: String, redacted: Bool = false) {
            self.direction = direction
            self.milliseconds = milliseconds
            self.text = text
            self.redacted = redacted
        }
    }

    public let label: String
    public private(set) var lines: [Line] = []
    /// At most this many lines are kept; the rest are counted in `droppedLines`.
    public let maxLines: Int
    public private(set) var droppedLines = 0

    public init(label: String, maxLines: Int = 2000) {
        self.label = label
        self.maxLines = maxLines
    }

    public mutating func append(_ direction: Direction, _ text: String, at milliseconds: Double) {
        append(Line(direction: direction, milliseconds: milliseconds, text: Transcript.printable(text)))
    }

    /// Records a line that carries a secret: only `visiblePrefix` (e.g. `AUTH PLAIN`) is kept.
    public mutating func recordRedacted(_ direction: Direction, visiblePrefix: String, at milliseconds: Double) {
        let text = visiblePrefix.isEmpty ? "<redacted>" : visiblePrefix + " <redacted>"
        append(Line(direction: direction, milliseconds: milliseconds, text: text, redacted: true))
    }

    private mutating func append(_ line: Line) {
        if lines.count < maxLines { lines.append(line) } else { droppedLines += 1 }
    }

    /// Control characters are shown escaped so a hostile peer cannot rewrite the terminal.
    public static func printable(_ text: String, limit: Int = 4096) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit { out += "…[\(text.unicodeScalars.count - limit) more]"; break }
            switch scalar.value {
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F, 0x80..<0xA0: out += String(format: "\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    /// `  12.3 ms C: EHLO mxray.invalid` lines, as a person reads them.
    public func rendered() -> String {
        var s = lines.map { line in
            let ms = String(format: "%8.1f", line.milliseconds)
            return "\(ms) ms \(line.direction.rawValue): \(line.text)"
        }.joined(separator: "\n")
        if droppedLines > 0 { s += "\n… \(droppedLines) more lines not kept" }
        return s
    }
}

