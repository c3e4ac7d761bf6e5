/// Log timestamps as microseconds since the Unix epoch (UTC), parsed from bytes without
/// Foundation: traditional syslog (`Nov 29 16:10:39`, no year, no zone), RFC 3339
/// (`2026-11-29T16:10:39.123456+01:00`, `+0100`, `Z`; RFC 3339 §5.6) and journald's
/// `__REALTIME_TIMESTAMP` (decimal microseconds).
public enum LogTime {
    public static let microsPerSecond: Int64 = 1_000_000

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    @inlinable public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month, day) of days since the epoch.
    public static func civil(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    @inlinable public static func micros(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micro: Int64 = 0) -> Int64 {
        (days(year: year, month: month, day: day) * 86400 + Int64(hour * 3600 + minute * 60 + second)) * microsPerSecond + micro
    }

    /// ISO 8601 text (UTC, seconds) for reports.
    public static func iso(_ t: Int64) -> String {
        let secs = t >= 0 ? t / microsPerSecond : (t - microsPerSecond + 1) / microsPerSecond
        let d = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let (y, m, dd) = civil(days: d)
        let r = Int(secs - d * 86400)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(p2(m))-\(p2(dd))T\(p2(r / 3600)):\(p2(r / 60 % 60)):\(p2(r % 60))Z"
    }

    /// Month number 1…12 of a three-letter English month name at `i`, or 0.
    @inlinable public static func month(_ b: LineBytes, at i: Int) -> Int {
        guard i + 3 <= b.count else { return 0 }
        let k = (UInt32(b[i] | 0x20) << 16) | (UInt32(b[i + 1] | 0x20) << 8) | UInt32(b[i + 2] | 0x20)
        switch k {
        case 0x6A616E: return 1  // jan
        case 0x666562: return 2  // feb
        case 0x6D6172: return 3  // mar
        case 0x617072: return 4  // apr
        case 0x6D6179: return 5  // may
        case 0x6A756E: return 6  // jun
        case 0x6A756C: return 7  // jul
        case 0x617567: return 8  // aug
        case 0x736570: return 9  // sep
        case 0x6F6374: return 10 // oct
        case 0x6E6F76: return 11 // nov
        case 0x646563: return 12 // dec
        default: return 0
        }
    }

    @inlinable static func two(_ b: LineBytes, _ i: Int) -> Int? {
        guard i + 2 <= b.count, isDigit(b[i]), isDigit(b[i + 1]) else { return nil }
        return Int(b[i] - 48) * 10 + Int(b[i + 1] - 48)
    }

    /// Parses `Mmm dd hh:mm:ss` (day may be space-padded or one digit) at `i`.
    /// Returns month, day, seconds of day and the index after the timestamp.
    public static func syslog(_ b: LineBytes, at i: Int) -> (month: Int, day: Int, secondOfDay: Int, end: Int)? {
        let mon = month(b, at: i)
        guard mon > 0, i + 4 < b.count, b[i + 3] == 32 else { return nil }
        var j = i + 4
        if b[j] == 32 { j += 1 }
        var day = 0, n = 0
        while j < b.count, isDigit(b[j]), n < 2 { day = day * 10 + Int(b[j] - 48); j += 1; n += 1 }
        guard n > 0, day >= 1, day <= 31, j < b.count, b[j] == 32 else { return nil }
        j += 1
        guard let h = two(b, j), j + 8 <= b.count, b[j + 2] == 58, let m = two(b, j + 3), b[j + 5] == 58,
              let s = two(b, j + 6), h < 24, m < 60, s < 61 else { return nil }
        j += 8
        // Fractional seconds some syslog daemons add (`16:10:39.123`): skip them.
        if j < b.count, b[j] == 46 { j += 1; while j < b.count, isDigit(b[j]) { j += 1 } }
        return (mon, day, h * 3600 + m * 60 + s, j)
    }

    /// Parses an RFC 3339 date-time at `i` (also with a space instead of `T`, as Exim writes it,
    /// and without a zone, read as UTC). Returns microseconds and the index after it.
    public static func rfc3339(_ b: LineBytes, at i: Int) -> (micros: Int64, end: Int)? {
        guard i + 19 <= b.count,
              let y1 = two(b, i), let y2 = two(b, i + 2), b[i + 4] == 45,
              let mo = two(b, i + 5), b[i + 7] == 45, let d = two(b, i + 8),
              b[i + 10] == 84 || b[i + 10] == 116 || b[i + 10] == 32,
              let h = two(b, i + 11), b[i + 13] == 58, let mi = two(b, i + 14), b[i + 16] == 58,
              let s = two(b, i + 17),
              mo >= 1, mo <= 12, d >= 1, d <= 31, h < 24, mi < 60, s < 61 else { return nil }
        var j = i + 19
        var micro: Int64 = 0
        if j < b.count, b[j] == 46 {
            j += 1
            var digits = 0
            while j < b.count, isDigit(b[j]) {
                if digits < 6 { micro = micro * 10 + Int64(b[j] - 48) }
                digits += 1; j += 1
            }
            guard digits > 0 else { return nil }
            var k = digits; while k < 6 { micro *= 10; k += 1 }
        }
        var offset = 0
        if j < b.count {
            let c = b[j]
            if c == 90 || c == 122 { j += 1 }                      // Z
            else if c == 43 || c == 45 {                           // ±hh:mm or ±hhmm (RFC 3339 §5.6 / ISO 8601 basic)
                guard let oh = two(b, j + 1) else { return nil }
                var k = j + 3
                if k < b.count, b[k] == 58 { k += 1 }
                guard let om = two(b, k), oh < 24, om < 60 else { return nil }
                offset = (oh * 3600 + om * 60) * (c == 45 ? -1 : 1)
                j = k + 2
            }
        }
        let t = micros(year: y1 * 100 + y2, month: mo, day: d, hour: h, minute: mi, second: s, micro: micro)
        return (t - Int64(offset) * microsPerSecond, j)
    }
}

/// Supplies the year that traditional syslog timestamps lack.
///
/// The reference is the year and month of the newest line (by default the file's modification
/// time; `--year` sets the year). A line whose month is later than the reference month belongs
/// to the previous year, so a log running from December into January gets both years right.
/// The rule needs no state, so chunks of one file can be decoded in parallel. It is right for
/// any log spanning less than twelve months.
public struct YearInference: Sendable, Equatable {
    public var referenceYear: Int
    public var referenceMonth: Int
    public init(referenceYear: Int, referenceMonth: Int) {
        self.referenceYear = referenceYear
        self.referenceMonth = referenceMonth
    }
    /// From a reference instant (microseconds since the epoch).
    public init(reference micros: Int64) {
        let d = micros >= 0 ? micros / LogTime.microsPerSecond / 86400 : -1
        let c = LogTime.civil(days: d)
        self.init(referenceYear: c.year, referenceMonth: c.month)
    }
    @inlinable public func year(forMonth m: Int) -> Int { m > referenceMonth ? referenceYear - 1 : referenceYear }
    @inlinable public func micros(month: Int, day: Int, secondOfDay: Int) -> Int64 {
        (LogTime.days(year: year(forMonth: month), month: month, day: day) * 86400 + Int64(secondOfDay)) * LogTime.microsPerSecond
    }
}
