/// A date-time as RFC 5322 §3.3 writes it (`Tue, 3 Jan 2017 12:22:54 -0800 (PST)`), normalised
/// to UTC. Obsolete forms (§4.3) are read too: two- and three-digit years, named zones (UT, GMT,
/// EST…PDT), military letters (which §4.3 says to treat as -0000, "unknown zone").
public struct MailDate: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let epochSeconds: Int
    /// The zone offset as written, in minutes east of UTC; nil for -0000 or a military letter
    /// (RFC 5322 §3.3: the time is UTC but the local zone is unknown).
    public let offsetMinutes: Int?
    /// The text as it appeared (comments included).
    public let text: String

    public init(epochSeconds: Int, offsetMinutes: Int?, text: String) {
        self.epochSeconds = epochSeconds; self.offsetMinutes = offsetMinutes; self.text = text
    }

    public static func < (a: MailDate, b: MailDate) -> Bool { a.epochSeconds < b.epochSeconds }

    /// `2017-01-03T20:22:54Z`.
    public var iso8601: String { Self.iso8601(epochSeconds) }
    public var description: String { iso8601 }

    public static func iso8601(_ t: Int) -> String {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secs = t - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = y < 0 ? "\(y)" : String(repeating: "0", count: max(0, 4 - "\(y)".count)) + "\(y)"
        return "\(year)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }
}

/// Why a date did not parse.
public struct MailDateError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    /// RFC 5322 §4.3 obs-zone names, in hours east of UTC.
    static let namedZones: [String: Int] = [
        "ut": 0, "gmt": 0, "utc": 0, "z": 0,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]

    /// Parses a date-time (RFC 5322 §3.3, obsolete forms from §4.3). Bounded to 256 characters.
    public static func parse(_ text: String) throws(MailDateError) -> MailDate {
        guard text.utf8.count <= 256 else { throw MailDateError(message: "date longer than 256 characters") }
        var sc = HeaderScanner(text)
        var words: [String] = []
        while true {
            sc.skipCFWS()
            if sc.atEnd || words.count > 12 { break }
            if sc.eat(",") { continue }
            let w = sc.readToken(stops: [UInt8(ascii: ",")])
            if w.isEmpty { sc.i += 1; continue }  // a stray quote
            words.append(w)
        }
        var w = words[...]
        guard !w.isEmpty else { throw MailDateError(message: "no date") }
        // [ day-of-week "," ]
        if let f = w.first, days.contains(f.lowercased().prefix(3).description), Int(f) == nil { w = w.dropFirst() }
        guard w.count >= 4 else { throw MailDateError(message: "\"\(text)\" is not day month year time zone (RFC 5322 §3.3)") }
        let it = Array(w)
        // Some writers put the time before the zone-less year (asctime); only the standard order is read.
        guard let day = Int(it[0]), (1...31).contains(day) else { throw MailDateError(message: "\"\(it[0])\" is not a day of the month") }
        guard let monthIndex = months.firstIndex(of: it[1].lowercased().prefix(3).description), it[1].count >= 3 else {
            throw MailDateError(message: "\"\(it[1])\" is not a month name")
        }
        guard it[2].allSatisfy(\.isASCII), var year = Int(it[2]), year >= 0, it[2].count >= 2, it[2].count <= 4 else {
            throw MailDateError(message: "\"\(it[2])\" is not a year")
        }
        // RFC 5322 §4.3: two-digit years 00–49 are 2000–2049, 50–99 are 1950–1999; three digits add 1900.
        if it[2].count == 2 { year += year < 50 ? 2000 : 1900 } else if it[2].count == 3 { year += 1900 }
        let hms = it[3].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 2 || hms.count == 3, hms.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hh = Int(hms[0]), let mm = Int(hms[1]), hh < 24, mm < 60 else {
            throw MailDateError(message: "\"\(it[3])\" is not a time hh:mm[:ss]")
        }
        let ss = hms.count == 3 ? Int(hms[2]) ?? 99 : 0
        guard ss <= 60 else { throw MailDateError(message: "\"\(it[3])\" has an invalid second") }
        guard day <= daysIn(month: monthIndex + 1, year: year) else {
            throw MailDateError(message: "\(day) \(it[1]) \(year) does not exist")
        }
        var offset: Int?
        if it.count < 5 { throw MailDateError(message: "no time zone after \(it[3]) (RFC 5322 §3.3 requires one)") }
        let z = it[4]
        if let sign = z.first, sign == "+" || sign == "-" {
            let digits = z.dropFirst()
            guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(digits) else {
                throw MailDateError(message: "zone \"\(z)\" is not +hhmm or -hhmm (RFC 5322 §3.3)")
            }
            guard v / 100 <= 99, v % 100 < 60 else { throw MailDateError(message: "zone \"\(z)\" has minutes over 59") }
            let minutes = (v / 100) * 60 + v % 100
            // RFC 5322 §3.3: "-0000" means the time is UTC and the local zone is unknown.
            offset = sign == "-" ? (minutes == 0 ? nil : -minutes) : minutes
        } else if let h = namedZones[z.lowercased()] {
            offset = h * 60
        } else if z.count == 1, let c = z.first, c.isASCII, c.isLetter, c.lowercased() != "j" {
            offset = nil  // RFC 5322 §4.3: military zones are ambiguous; treat as -0000.
        } else {
            throw MailDateError(message: "zone \"\(z)\" is not known")
        }
        let local = daysFromCivil(year, monthIndex + 1, day) * 86_400 + hh * 3600 + mm * 60 + min(ss, 59)
        return MailDate(epochSeconds: local - (offset ?? 0) * 60, offsetMinutes: offset, text: text)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysIn(month: Int, year: Int) -> Int {
        switch month { case 2: isLeap(year) ? 29 : 28; case 4, 6, 9, 11: 30; default: 31 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
