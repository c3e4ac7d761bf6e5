import Foundation
import Reporting

/// Server-rendered SVG charts: no script, no external asset, readable without JavaScript.
enum SVGChart {
    /// A row of small bars, one per run: green for success, red for failure (oldest left).
    static func sparkline(_ recent: [Bool], width: Int = 120, height: Int = 18, slots: Int = 30) -> String {
        guard !recent.isEmpty else { return "<svg class=\"spark\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"no runs yet\"></svg>" }
        let n = recent.count
        // Fixed slots, newest at the right: one run is one narrow bar, not a full-width block.
        let step = Double(width) / Double(max(n, slots))
        let bar = max(1.0, step - 1)
        let offset = Double(width) - step * Double(n)
        var s = "<svg class=\"spark\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(recent.filter { $0 }.count) of \(n) recent runs succeeded\">"
        for (i, ok) in recent.enumerated() {
            let h = ok ? Double(height) : Double(height) * 0.55
            s += "<rect x=\"\(fmt(offset + Double(i) * step))\" y=\"\(fmt(Double(height) - h))\" width=\"\(fmt(bar))\" height=\"\(fmt(h))\" fill=\"\(ok ? "#1a7f37" : "#cf222e")\"><title>\(ok ? "ok" : "failed")</title></rect>"
        }
        return s + "</svg>"
    }

    /// A line chart of check duration over time with failed runs marked in red; axes labelled.
    static func latency(_ points: [(at: Date, seconds: Double, success: Bool)], width: Int = 720, height: Int = 200) -> String {
        let pad = (left: 48.0, right: 12.0, top: 12.0, bottom: 28.0)
        guard points.count >= 1, let first = points.first?.at, let last = points.last?.at else {
            return "<p class=\"muted\">No runs in this period.</p>"
        }
        let span = max(1, last.timeIntervalSince(first))
        let maxY = niceCeiling(points.map(\.seconds).max() ?? 1)
        let w = Double(width) - pad.left - pad.right, h = Double(height) - pad.top - pad.bottom
        func x(_ d: Date) -> Double { pad.left + (points.count == 1 ? w / 2 : w * d.timeIntervalSince(first) / span) }
        func y(_ v: Double) -> Double { pad.top + h - h * min(v, maxY) / maxY }
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"check duration over time\">"
        for i in 0...4 {
            let v = maxY * Double(i) / 4
            s += "<line x1=\"\(fmt(pad.left))\" x2=\"\(fmt(Double(width) - pad.right))\" y1=\"\(fmt(y(v)))\" y2=\"\(fmt(y(v)))\" stroke=\"#e3e6ea\"/>"
            s += "<text x=\"\(fmt(pad.left - 4))\" y=\"\(fmt(y(v) + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#57606a\">\(fmt(v)) s</text>"
        }
        let path = points.map { "\(fmt(x($0.at))),\(fmt(y($0.seconds)))" }.joined(separator: " ")
        s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\"/>"
        for p in points {
            s += "<circle cx=\"\(fmt(x(p.at)))\" cy=\"\(fmt(y(p.seconds)))\" r=\"\(p.success ? 2 : 3.5)\" fill=\"\(p.success ? "#0969da" : "#cf222e")\"><title>\(htmlEscape(Self.stamp(p.at))): \(fmt(p.seconds)) s\(p.success ? "" : ", failed")</title></circle>"
        }
        s += "<text x=\"\(fmt(pad.left))\" y=\"\(height - 8)\" font-size=\"11\" fill=\"#57606a\">\(htmlEscape(Self.stamp(first)))</text>"
        s += "<text x=\"\(fmt(Double(width) - pad.right))\" y=\"\(height - 8)\" text-anchor=\"end\" font-size=\"11\" fill=\"#57606a\">\(htmlEscape(Self.stamp(last)))</text>"
        return s + "</svg>"
    }

    /// Success ratio per time bucket as bars (0–100 %).
    static func successRate(_ points: [(at: Date, seconds: Double, success: Bool)], buckets: Int = 24, width: Int = 720, height: Int = 120) -> String {
        guard let first = points.first?.at, let last = points.last?.at else { return "<p class=\"muted\">No runs in this period.</p>" }
        let span = max(1, last.timeIntervalSince(first))
        var ok = [Int](repeating: 0, count: buckets), all = [Int](repeating: 0, count: buckets)
        for p in points {
            let i = min(buckets - 1, Int(Double(buckets) * p.at.timeIntervalSince(first) / span))
            all[i] += 1
            if p.success { ok[i] += 1 }
        }
        let left = 48.0, bottom = 20.0, top = 8.0
        let w = (Double(width) - left - 8) / Double(buckets), h = Double(height) - bottom - top
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"success rate over time\">"
        s += "<text x=\"\(fmt(left - 4))\" y=\"\(fmt(top + 8))\" text-anchor=\"end\" font-size=\"11\" fill=\"#57606a\">100%</text>"
        s += "<text x=\"\(fmt(left - 4))\" y=\"\(fmt(top + h))\" text-anchor=\"end\" font-size=\"11\" fill=\"#57606a\">0%</text>"
        for i in 0..<buckets where all[i] > 0 {
            let r = Double(ok[i]) / Double(all[i])
            let bh = max(3, h * r)
            let color = r >= 0.999 ? "#1a7f37" : (r >= 0.5 ? "#9a6700" : "#cf222e")
            s += "<rect x=\"\(fmt(left + Double(i) * w + 1))\" y=\"\(fmt(top + h - bh))\" width=\"\(fmt(max(1, w - 2)))\" height=\"\(fmt(bh))\" fill=\"\(color)\"><title>\(ok[i])/\(all[i]) ok</title></rect>"
        }
        return s + "</svg>"
    }

    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let e = pow(10, floor(log10(v)))
        for m in [1.0, 2, 2.5, 5, 10] where m * e >= v { return m * e }
        return 10 * e
    }

    static func fmt(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        return String(format: "%.2f", v)
    }

    static func stamp(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: d)
    }
}
