// fhir-import-check: runs the pure FHIR importer over files and folders of Bundles and prints what it would import,
// what it would skip and why, and how long reading and parsing took. Exit status 1 if any bundle is rejected.
//
//   fhir-import-check [--strict] [--max-bytes N] [--verbose] PATH…
import Foundation
import Interop
import Records

var options = FHIRImportOptions()
var verbose = false
var paths: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--strict": options.strict = true
    case "--verbose", "-v": verbose = true
    case "--max-bytes":
        guard let value = arguments.popFirst().flatMap(Int.init) else {
            FileHandle.standardError.write(Data("--max-bytes needs a number\n".utf8))
            exit(2)
        }
        options.maxBytes = value
    case "-h", "--help":
        print("usage: fhir-import-check [--strict] [--max-bytes N] [--verbose] PATH…")
        exit(0)
    default: paths.append(argument)
    }
}
guard !paths.isEmpty else {
    FileHandle.standardError.write(Data("usage: fhir-import-check [--strict] [--max-bytes N] [--verbose] PATH…\n".utf8))
    exit(2)
}

/// Every `.json` file under the given paths, sorted for a stable order.
func bundleFiles(_ paths: [String]) -> [URL] {
    var files: [URL] = []
    let manager = FileManager.default
    for path in paths {
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            FileHandle.standardError.write(Data("not found: \(path)\n".utf8))
            continue
        }
        if isDirectory.boolValue {
            let enumerator = manager.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if url.pathExtension == "json" { files.append(url) }
            }
        } else {
            files.append(URL(fileURLWithPath: path))
        }
    }
    return files.sorted { $0.path < $1.path }
}

let clock = ContinuousClock()
var readTime = Duration.zero, planTime = Duration.zero
var bytes = 0, failures = 0, bundles = 0, patients = 0, entries = 0, totalEntries = 0
var mapped: [String: Int] = [:], produced: [ImportedKind: Int] = [:], skipped: [ImportSkip: Int] = [:]

for file in bundleFiles(paths) {
    // The size limit is checked on the file before reading it, as a server checks Content-Length.
    let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
    if size > options.maxBytes {
        print("REJECTED \(file.lastPathComponent): \(FHIRImportError.tooLarge(bytes: size, limit: options.maxBytes))")
        failures += 1
        continue
    }
    let start = clock.now
    guard let data = try? Data(contentsOf: file) else {
        print("UNREADABLE \(file.lastPathComponent)")
        failures += 1
        continue
    }
    let read = clock.now
    readTime += read - start
    bytes += data.count
    do {
        let plan = try FHIRBundleImporter.plan(data, options: options)
        planTime += clock.now - read
        bundles += 1
        patients += plan.patients.count
        totalEntries += plan.report.totalEntries
        // Idempotency keys must be unique within a bundle, or the store's upsert would merge distinct items.
        var keys: Set<String> = []
        for patient in plan.patients {
            keys.insert(patient.source.key)
            for entry in patient.entries where !keys.insert(entry.source.key).inserted {
                print("DUPLICATE KEY \(file.lastPathComponent): \(entry.source.key)")
                failures += 1
            }
            entries += patient.entries.count
        }
        mapped.merge(plan.report.mapped, uniquingKeysWith: +)
        produced.merge(plan.report.produced, uniquingKeysWith: +)
        skipped.merge(plan.report.skipped, uniquingKeysWith: +)
        if verbose {
            print("ok \(file.lastPathComponent): \(plan.patients.count) patient(s), \(plan.patients.reduce(0) { $0 + $1.entries.count }) entries")
        }
    } catch {
        planTime += clock.now - read
        print("REJECTED \(file.lastPathComponent): \(error)")
        failures += 1
    }
}

func seconds(_ duration: Duration) -> String {
    String(format: "%.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}
print("bundles: \(bundles) imported, \(failures) rejected; \(bytes / 1024) KiB; \(totalEntries) bundle entries")
print("patients: \(patients); imported entries: \(entries)")
print("mapped resources by type:")
for (type, count) in mapped.sorted(by: { $0.key < $1.key }) { print("  \(type): \(count)") }
print("entries by kind (→ record entry type):")
for (kind, count) in produced.sorted(by: { $0.key < $1.key }) {
    print("  \(kind.rawValue): \(count) → \(kind.entryType?.rawValue ?? "none yet (not stored)")")
}
print("skipped:")
for (skip, count) in skipped.sorted(by: { $0.key < $1.key }) { print("  \(skip): \(count)") }
print("time: read \(seconds(readTime)), parse+map \(seconds(planTime))")
exit(failures == 0 ? 0 : 1)
