// Property checks inside the fuzz targets. `precondition` loses its message in a release build, so the
// targets use `check`, which stops with `fatalError` and says what went wrong.

#if canImport(Glibc)
import Glibc
#endif

/// Bugs the fuzzers have found and that are not fixed yet. Naming one in the environment variable
/// `TAILOR_FUZZ_SKIP` (comma-separated) turns its check off, so that fuzzing can go on looking for
/// other bugs, e.g. `TAILOR_FUZZ_SKIP=bgzf-isize ./run.sh 300 FuzzBGZFBlock`. Delete a case when its
/// bug is fixed.
public enum KnownIssue: String, Sendable {
    /// `BGZFInflater.inflateBlock` accepts a block whose DEFLATE data inflates to fewer bytes than its
    /// ISIZE trailer says (libdeflate reports the short output as success because `actual_out_nbytes_ret`
    /// is passed, so the `LIBDEFLATE_SHORT_OUTPUT` branch never runs).
    case bgzfISize = "bgzf-isize"
    /// `BGZFInflater.inflateBlock` returns 0 for any block whose ISIZE is 0 without inflating the data or
    /// checking its CRC32, so a block whose ISIZE was zeroed (or whose data is garbage) passes as empty.
    case bgzfEmptyUnchecked = "bgzf-empty-unchecked"
}

let skippedIssues: Set<String> = {
    guard let raw = getenv("TAILOR_FUZZ_SKIP") else { return [] }
    return Set(String(cString: raw).split(separator: ",").map(String.init))
}()

/// Stops the process (so libFuzzer saves the input) when `condition` is false, unless `known` is skipped.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String, known: KnownIssue? = nil) {
    if condition { return }
    if let known, skippedIssues.contains(known.rawValue) { return }
    fatalError(message())
}
