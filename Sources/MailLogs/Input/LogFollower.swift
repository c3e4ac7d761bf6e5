#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--follow`: reads a log file as it grows and keeps reading across rotation (the path's inode
/// changes, or the file shrinks after copytruncate). Calls `report` with new alerts as they appear
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
        var alertsSeen = 0
        var lastReport = time(nil)
        var polls = 0
        while polls < maxPolls {
            polls += 1
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n > 0 {
                offset += Int64(n)
                carry.append(contentsOf: buf[0..<n])
                if let lastNL = carry.lastIndex(of: 10) {
                    carry.withUnsafeBufferPointer { p in
                        var start = 0
                        for i in 0...lastNL where p[i] == 10 {
                            var end = i
                            if end > start, p[end - 1] == 13 { end -= 1 }
                            dec.decode(LineBytes(UnsafeBufferPointer(rebasing: p[start..<end]))) { e, b in agg.consume(&e, b) }
                            start = i + 1
                        }
                    }
                    carry.removeFirst(lastNL + 1)
                }
                if carry.count > LineSplitter.bufferSize { carry.removeAll() }
                let alerts = agg.tracker.alerts
                if alerts.count > alertsSeen { report(nil, Array(alerts[alertsSeen...])); alertsSeen = alerts.count }
                continue
            }
            // At the end: rotated or truncated?
            var now = stat()
            if stat(path, &now) == 0, now.st_ino != inode || Int64(now.st_size) < offset {
                let nfd = Glibc.open(path, O_RDONLY)
                if nfd >= 0 { close(fd); fd = nfd; inode = now.st_ino; offset = 0 }
            }
            if time(nil) - lastReport >= interval { report(agg.summary(inputs: [.init(name: path, format: format.rawValue, lines: agg.lines, bytes: offset, unknownLines: agg.unknownLines)]), []); lastReport = time(nil) }
            usleep(250_000)
        }
        close(fd)
    }
}
