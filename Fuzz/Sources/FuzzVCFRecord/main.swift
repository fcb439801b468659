// libFuzzer entry point (see docs STYLE.md §7). Build with ./run.sh, which passes
// `swift build -c release --sanitize=fuzzer --sanitize=address`; libFuzzer supplies `main`.
import FuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzVCFRecordInput(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
