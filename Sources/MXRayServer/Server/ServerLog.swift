import Foundation

/// One line per event on standard error, with a UTC timestamp: what an admin reads in
/// `journalctl` or a container log.
public enum ServerLog {
    public static func info(_ message: String) { write("info", message) }
    public static func error(_ message: String) { write("error", message) }

    static func write(_ level: String, _ message: String) {
        let line = "\(Date().formatted(.iso8601)) mxray serve \(level): \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
