import Diagnosis
import FuzzSupport

/// The client-configuration readers (MiniXML, Mozilla autoconfig, Microsoft Autodiscover) on
/// arbitrary bytes: any input must give a value or a typed error, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: min(size, 65_536)))
    _ = try? MiniXML.parse(bytes)
    let source = ClientSource(kind: .autoconfig, detail: "fuzz")
    _ = try? AutoconfigParser.parse(bytes, email: "alice@example.test", source: source)
    _ = try? AutodiscoverParser.parse(bytes, email: "alice@example.test", source: source)
    return 0
}

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
