#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Reads inputs (files, `.gz`, `-` for stdin), decodes and aggregates them. Large plain files are
/// split at line boundaries into one range per core; each range gets its own decoder and
/// aggregator, merged in file order.
public struct LogRunner: Sendable {
    public var formatIn: LogFormat? = nil
    public var year: Int? = nil
    public var options = AggregatorOptions()
    public var threads = 1
    /// Files at least this large are split across threads.
    public var parallelThreshold: Int64 = 32 << 20
    /// The reference instant for stdin and when a file's time cannot be read (µs since the epoch).
    public var now: Int64 = Int64(time(nil)) * LogTime.microsPerSecond

    public init() {}

    public func run(_ paths: [String]) throws -> LogSummary {
        var total = LogAggregator(options: options)
        var inputs: [LogSummary.Input] = []
        for path in paths {
            let (agg, input) = try runOne(path)
            total.merge(agg)
            inputs.append(input)
        }
        return total.summary(inputs: inputs)
    }

    func open(_ path: String) throws -> (fd: Int32, size: Int64, mtime: Int64, regular: Bool) {
        if path == "-" { return (0, -1, now, false) }
        let fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { throw LogInputError(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw LogInputError(path: path, reason: String(cString: strerror(errno))) }
        if (st.st_mode & S_IFMT) == S_IFDIR { close(fd); throw LogInputError(path: path, reason: "is a directory") }
        return (fd, Int64(st.st_size), Int64(st.st_mtim.tv_sec) * LogTime.microsPerSecond, (st.st_mode & S_IFMT) == S_IFREG)
    }

    /// The first bytes of the input, for format detection (and gzip magic).
    func head(_ fd: Int32, _ n: Int) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: n)
        let got = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, 0) }
        return Array(buf.prefix(max(got, 0)))
    }

    /// Year inference for traditional syslog timestamps: the reference month is the month of the
    /// file's last line, the reference year the file's modification year (or `--year`).
    func years(fd: Int32, size: Int64, mtime: Int64, gz: Bool) -> YearInference {
        var y = YearInference(reference: mtime)
        if let year { y.referenceYear = year }
        guard !gz, size > 0, fd != 0 else { return y }
        let n = Int(min(size, 65536))
        var buf = [UInt8](repeating: 0, count: n)
        let got = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(size - Int64(n))) }
        guard got > 0 else { return y }
        let lines = buf.prefix(got).split(separator: 10)
        for line in lines.reversed() {
            let m = Array(line).withUnsafeBufferPointer { p -> Int? in LogTime.syslog(LineBytes(p), at: 0)?.month }
            if let m { y.referenceMonth = m; if year == nil, m > YearInference(reference: mtime).referenceMonth { y.referenceYear -= 1 }; break }
        }
        return y
    }

    func runOne(_ path: String) throws -> (LogAggregator, LogSummary.Input) {
        let f = try open(path)
        defer { if f.fd != 0 { close(f.fd) } }
        if path == "-" { return try runStdin() }
        let h = head(f.fd, 65536)
        let gz = h.count >= 2 && h[0] == 0x1F && h[1] == 0x8B
        let y = years(fd: f.fd, size: f.size, mtime: f.mtime, gz: gz)
        if gz {
            let gzSource = try GzipSource(FileSource(fd: f.fd, path: path))
            var sample = [UInt8](repeating: 0, count: 65536)
            let got = try sample.withUnsafeMutableBytes { try gzSource.read(into: $0) }
            sample = Array(sample.prefix(got))
            let format = formatIn ?? sample.withUnsafeBufferPointer { LogDecoder.detect($0) }
            var source = PrefixedSource(prefix: sample, rest: gzSource)
            return try runSequential(&source, name: path, format: format, years: y)
        }
        let format = formatIn ?? h.withUnsafeBufferPointer { LogDecoder.detect($0) }
        if f.regular, threads > 1, f.size >= parallelThreshold, format != .exchange {
            return try runParallel(fd: f.fd, size: f.size, name: path, format: format, years: y)
        }
        var source = FileSource(fd: f.fd, path: path)
        return try runSequential(&source, name: path, format: format, years: y)
    }

    func runStdin() throws -> (LogAggregator, LogSummary.Input) {
        var stdin = FileSource(fd: 0, path: "-")
        var sample = [UInt8](repeating: 0, count: 65536)
        var got = 0
        while got < sample.count {
            let n = try sample.withUnsafeMutableBytes { try stdin.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
            if n == 0 { break }
            got += n
        }
        sample = Array(sample.prefix(got))
        let format = formatIn ?? sample.withUnsafeBufferPointer { LogDecoder.detect($0) }
        var y = YearInference(reference: now)
        if let year { y.referenceYear = year }
        var source = PrefixedSource(prefix: sample, rest: stdin)
        return try runSequential(&source, name: "-", format: format, years: y)
    }

    func runSequential<S: ByteSource>(_ source: inout S, name: String, format: LogFormat, years: YearInference, continuation: Bool = false) throws -> (LogAggregator, LogSummary.Input) {
        var agg = LogAggregator(options: options)
        agg.isContinuation = continuation
        var dec = LogDecoder(format: format, years: years)
        var splitter = LineSplitter()
        try splitter.run(&source) { line in dec.decode(line) { e, b in agg.consume(&e, b) } }
        return (agg, .init(name: name, format: format.rawValue, lines: splitter.lines, bytes: splitter.bytes, unknownLines: agg.unknownLines))
    }

    func runParallel(fd: Int32, size: Int64, name: String, format: LogFormat, years: YearInference) throws -> (LogAggregator, LogSummary.Input) {
        // Range boundaries just after a newline.
        var bounds: [Int64] = [0]
        for k in 1..<threads {
            var off = size * Int64(k) / Int64(threads)
            var buf = [UInt8](repeating: 0, count: 65536)
            var found = false
            while off < size, !found {
                let got = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 65536, off_t(off)) }
                guard got > 0 else { break }
                if let nl = buf.prefix(got).firstIndex(of: 10) { off += Int64(nl + 1); found = true } else { off += Int64(got) }
            }
            bounds.append(min(off, size))
        }
        bounds.append(size)
        let ranges = (0..<threads).map { (bounds[$0], bounds[$0 + 1]) }.filter { $0.0 < $0.1 }
        let results = ResultBox(count: ranges.count)
        let me = self
        DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
            var source = FileSource(fd: fd, path: name, offset: ranges[i].0, end: ranges[i].1)
            results.set(i, Result { try me.runSequential(&source, name: name, format: format, years: years, continuation: i > 0) })
        }
        var agg = LogAggregator(options: options)
        var lines: Int64 = 0, bytes: Int64 = 0
        for r in results.take() {
            let (a, input) = try r.get()
            agg.merge(a)
            lines += input.lines; bytes += input.bytes
        }
        return (agg, .init(name: name, format: format.rawValue, lines: lines, bytes: bytes, unknownLines: agg.unknownLines))
    }
}

/// Results of parallel workers, each written once by its own index.
final class ResultBox: @unchecked Sendable {
    private var items: [Result<(LogAggregator, LogSummary.Input), Error>?]
    private let lock = NSLockLite()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<(LogAggregator, LogSummary.Input), Error>) { lock.locked { items[i] = r } }
    func take() -> [Result<(LogAggregator, LogSummary.Input), Error>] { lock.locked { items.compactMap { $0 } } }
}

/// A pthread mutex (MailLogs stays free of Foundation).
final class NSLockLite: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func locked<T>(_ body: () throws -> T) rethrows -> T { pthread_mutex_lock(&m); defer { pthread_mutex_unlock(&m) }; return try body() }
}

/// Bytes already read (for format detection) followed by the rest of the source.
struct PrefixedSource<S: ByteSource>: ByteSource {
    var prefix: [UInt8]
    var used = 0
    var rest: S
    init(prefix: [UInt8], rest: S) { self.prefix = prefix; self.rest = rest }
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if used < prefix.count {
            let n = min(buffer.count, prefix.count - used)
            prefix.withUnsafeBytes { src in buffer.baseAddress!.copyMemory(from: src.baseAddress! + used, byteCount: n) }
            used += n
            return n
        }
        return try rest.read(into: buffer)
    }
}

extension GzipSource: @unchecked Sendable {}
