import Foundation

/// The output formats a command can be asked for with `--format`.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case text, json, html, markdown, nagios, prometheus, jsonl
}

/// JSON as every report writes it: stable key order, ISO 8601 dates, pretty for people.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
