// Property checks inside the fuzz targets. `precondition` loses its message in a release build, so the
// targets use `check`, which stops with `fatalError` and says what went wrong (libFuzzer then saves the input).

/// Stops the process when `condition` is false.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
