import Foundation
import GenomicsReporting
import Records

// Usage: GenomicsReportingExport <findings.json> <patient-reference> <issued-instant> [<out.json>]
// Reads a JSON array of `Records.Finding` and writes the FHIR Genomics Reporting collection Bundle
// (pretty-printed, sorted keys) to <out.json> or standard output.
let arguments = CommandLine.arguments
guard (4...5).contains(arguments.count) else {
    FileHandle.standardError.write(Data("usage: GenomicsReportingExport <findings.json> <patient-reference> <issued-instant> [<out.json>]\n".utf8))
    exit(2)
}
do {
    let findings = try JSONDecoder().decode([Finding].self, from: Data(contentsOf: URL(fileURLWithPath: arguments[1])))
    let bundle = try GenomicsReportingExport.bundle(findings: findings, patientReference: arguments[2], issued: arguments[3])
    let data = bundle.serialized(pretty: true)
    if arguments.count == 5 {
        try data.write(to: URL(fileURLWithPath: arguments[4]))
    } else {
        FileHandle.standardOutput.write(data)
    }
} catch {
    FileHandle.standardError.write(Data("GenomicsReportingExport: \(error)\n".utf8))
    exit(1)
}
