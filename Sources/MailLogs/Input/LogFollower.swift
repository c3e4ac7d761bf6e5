#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--follow`: reads a log file as it grows and keeps reading across rotation (the path's inode
/// changes, or the file shrinks after copytruncate). Calls `report` with new alerts as they appear (and again when their streak grows)
/// and with a full summary every `interval` seconds. Runs until the process is stopped.
public struct LogFollower {
    public let runner: LogRunner
    public let path: String
    public let interval: Int
    public let report: (LogSummary?, [LogSummary.Alert]) -> Void

    public init(runner: LogRunner, path: String, interval: Int, report: @escaping (LogSummary?, [LogSummary.Alert]) -> Void) {
        self.runner = runner; self.path = path; self.interval = max(1, interval); self.report = report
    }

    public func run(maxPolls: Int = .max) throws {
        var agg = LogAggregator(options: runner.options)
        var fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { throw LogInputError(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        fstat(fd, &st)
        var inode = st.st_ino
        var offset: Int64 = 0
        let head = runner.head(fd, 65536)
        let format = runner.formatIn ?? head.withUnsafeBufferPointer { LogDecoder.detect($0) }
        var dec = LogDecoder(format: format, years: runner.years(fd: fd, size: Int64(st.st_size), mtime: runner.now, gz: false))
        var carry: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        var reported: [Int64] = []
        var lastReport = time(nil)
        var polls = 0
        func decodeLines(upTo last: Int) {
            carry.withUnsafeBufferPointer { p in
                var start = 0
                for i in 0...last where p[i] == 10 {
                    var end = i
                    if end > start, p[end - 1] == 13 { end -= 1 }
                    dec.decode(LineBytes(UnsafeBufferPointer(rebasing: p[start..<end]))) { e, b in agg.consume(&e, b) }
                    start = i + 1
                }
            }
            carry.removeFirst(last + 1)
        }
        /// Reads what `fd` has past `offset`; returns whether anything came.
        func readMore() -> Bool {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            guard n > 0 else { return false }
            offset += Int64(n)
            carry.append(contentsOf: buf[0..<n])
            if let lastNL = carry.lastIndex(of: 10) { decodeLines(upTo: lastNL) }
            if carry.count > LineSplitter.bufferSize { carry.removeAll() }
            return true
        }
        /// New alerts, and alerts whose streak grew since they were last reported.
        func reportAlerts() {
            let alerts = agg.tracker.alerts
            var changed: [LogSummary.Alert] = []
            for (i, a) in alerts.enumerated() where i >= reported.count || reported[i] != a.count { changed.append(a) }
            reported = alerts.map(\.count)
            if !changed.isEmpty { report(nil, changed) }
        }
        while polls < maxPolls {
            polls += 1
            if readMore() { reportAlerts(); continue }
            // At the end: rotated (the path names another file) or truncated in place (copytruncate)?
            var now = stat()
            if stat(path, &now) == 0, now.st_ino != inode || Int64(now.st_size) < offset {
                let nfd = Glibc.open(path, O_RDONLY)
                if nfd >= 0 {
                    // Lines the writer added to the old file before it moved are still ours, and
                    // a last line without its newline is complete now that the file is closed.
                    if now.st_ino != inode { while readMore() {} }
                    if !carry.isEmpty { carry.append(10); decodeLines(upTo: carry.count - 1) }
                    reportAlerts()
                    close(fd); fd = nfd; inode = now.st_ino; offset = 0
                    continue
                }
            }
            if time(nil) - lastReport >= interval { report(agg.summary(inputs: [.init(name: path, format: format.rawValue, lines: agg.lines, bytes: offset, unknownLines: agg.unknownLines)]), []); lastReport = time(nil) }
            usleep(250_000)
        }
        close(fd)
    }
}
