import Foundation

/// The fixtures folder of this test target.
let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

/// The `tailor` executable SwiftPM built next to the test bundle (the test target depends on it).
let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tailor").path
let executableBuilt = FileManager.default.isExecutableFile(atPath: executable)

/// Runs the real `tailor` binary and returns its exit status, standard output and standard error.
func tailor(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}
