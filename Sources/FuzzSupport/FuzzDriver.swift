import Foundation

/// Runs a fuzz target's entry function.
///
/// Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING` (see `make fuzz`), the target is a
/// libFuzzer binary: arguments are libFuzzer's (`-runs=`, corpus folders). In an ordinary build
/// it replays every file of the folders or files it is given, so the committed corpus runs as a
/// regression check in `make test`.
public enum FuzzDriver {
    public typealias Entry = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    public static func run(_ entry: Entry) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
        #else
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                _ = data.withUnsafeBytes { raw in
                    entry(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
                }
                count += 1
            }
        }
        print("replayed \(count) inputs")
        exit(count > 0 ? 0 : 1)
        #endif
    }

    static func files(at path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().flatMap { files(at: path + "/" + $0) }
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzDriver.Entry
) -> Int32
#endif
