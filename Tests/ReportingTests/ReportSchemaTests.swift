import Diagnosis
import Foundation
import Testing
@testable import Reporting

/// A validator for the JSON Schema subset docs/report.schema.json uses: type, required,
/// properties, additionalProperties false, items, enum, $ref to #/$defs, minItems, minimum,
/// pattern. Returns every violation with its JSON path.
struct MiniSchemaValidator {
    let root: [String: Any]

    func validate(_ value: Any, _ schema: [String: Any], path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.dropFirst("#/$defs/".count))
            guard let defs = root["$defs"] as? [String: Any], let target = defs[name] as? [String: Any] else { return ["\(path): unresolved \(ref)"] }
            return validate(value, target, path: path)
        }
        var errors: [String] = []
        if let allowed = schema["enum"] as? [Any] {
            if !allowed.contains(where: { ($0 as? String) == (value as? String) && value is String }) { errors.append("\(path): \(value) not in enum") }
        }
        switch schema["type"] as? String {
        case "object":
            guard let obj = value as? [String: Any] else { return ["\(path): not an object"] }
            for key in schema["required"] as? [String] ?? [] where obj[key] == nil { errors.append("\(path): missing \(key)") }
            let props = schema["properties"] as? [String: Any] ?? [:]
            for (k, v) in obj {
                if let sub = props[k] as? [String: Any] {
                    errors += validate(v, sub, path: "\(path).\(k)")
                } else if schema["additionalProperties"] as? Bool == false {
                    errors.append("\(path): unexpected \(k)")
                }
            }
        case "array":
            guard let arr = value as? [Any] else { return ["\(path): not an array"] }
            if let min = schema["minItems"] as? Int, arr.count < min { errors.append("\(path): fewer than \(min) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, v) in arr.enumerated() { errors += validate(v, items, path: "\(path)[\(i)]") }
            }
        case "string":
            guard let s = value as? String else { return ["\(path): not a string"] }
            if let p = schema["pattern"] as? String, s.range(of: p, options: .regularExpression) == nil { errors.append("\(path): '\(s)' !~ \(p)") }
        case "integer":
            guard let n = value as? NSNumber, n.doubleValue == n.doubleValue.rounded() else { return ["\(path): not an integer"] }
            if let min = schema["minimum"] as? Int, n.intValue < min { errors.append("\(path): below \(min)") }
        case "number":
            if !(value is NSNumber) { errors.append("\(path): not a number") }
        default:
            break
        }
        return errors
    }
}

@Suite("Report JSON schema")
struct ReportSchemaTests {
    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/report.schema.json")

    static func schema() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaPath)) as? [String: Any])
    }

    @Test("the fixed report's JSON validates against docs/report.schema.json")
    func fixedReportValidates() throws {
        let schema = try Self.schema()
        let json = try JSONSerialization.jsonObject(with: Data(try JSONOutput.encode(FixedReport.make()).utf8))
        let errors = MiniSchemaValidator(root: schema).validate(json, schema)
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test("the validator rejects what the schema forbids")
    func validatorCatches() throws {
        let schema = try Self.schema()
        var json = try #require(try JSONSerialization.jsonObject(with: Data(try JSONOutput.encode(FixedReport.make()).utf8)) as? [String: Any])
        json["surprise"] = 1
        json.removeValue(forKey: "findings")
        var stages = try #require(json["stages"] as? [[String: Any]])
        stages[0]["status"] = "exploded"
        json["stages"] = stages
        let errors = MiniSchemaValidator(root: schema).validate(json, schema)
        #expect(errors.contains("$: unexpected surprise"))
        #expect(errors.contains("$: missing findings"))
        #expect(errors.contains { $0.hasPrefix("$.stages[0].status") })
    }
}
