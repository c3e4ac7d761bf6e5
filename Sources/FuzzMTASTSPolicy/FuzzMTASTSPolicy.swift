import FuzzSupport
import MailAuth

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { 0 }

@main struct Main { static func main() { FuzzDriver.run(fuzzInput) } }
