import Records
import Store

/// The patient summary written straight to JSON bytes, the same bytes as `JSON.encoder` (sorted keys, slashes
/// unescaped) writes through `Codable`.
///
/// The summary is the record's most-read page, and Foundation's encoder was 15 % of the server's time per read
/// (generic containers, type checks for dates and URLs on every value). Keys are listed here in the encoder's
/// order (UTF-8 byte order) and optional fields left out when nil, as synthesized `Codable` does. A test encodes
/// randomised summaries both ways and requires identical bytes, so a field added to any of these types without
/// being added here fails the build's tests rather than the API.
enum SummaryJSON {
    static func encode(_ summary: RecordStore.Summary) -> [UInt8]? {
        var out = JSONBytes()
        out.bytes.reserveCapacity(1024 + summary.findings.count * 160 + summary.runs.count * 300)
        out.raw("{\"consent\":")
        write(summary.consent, &out)
        out.raw(",\"consentVersion\":")
        out.integer(summary.consentVersion)
        out.raw(",\"counts\":{")
        for (index, key) in summary.counts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.raw(",") }
            out.string(key)
            out.raw(":")
            out.integer(summary.counts[key] ?? 0)
        }
        out.raw("},\"findings\":[")
        for (index, finding) in summary.findings.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"createdAt\":")
            out.integer(finding.createdAt)
            out.raw(",\"id\":")
            out.string(finding.id.rawValue)
            out.raw(",\"kind\":")
            out.string(finding.kind)
            out.raw(",\"subject\":")
            out.string(finding.subject)
            out.raw(",\"summary\":")
            out.string(finding.summary)
            out.raw("}")
        }
        out.raw("],\"patient\":")
        write(summary.patient, &out)
        out.raw(",\"runs\":[")
        for (index, run) in summary.runs.enumerated() {
            if index > 0 { out.raw(",") }
            guard write(run, &out) else { return nil }
        }
        out.raw("]}")
        return out.bytes
    }

    private static func write(_ patient: Patient, _ out: inout JSONBytes) {
        out.raw("{")
        if let birthDate = patient.birthDate {
            out.raw("\"birthDate\":")
            out.string(birthDate)
            out.raw(",")
        }
        out.raw("\"createdAt\":")
        out.integer(patient.createdAt)
        out.raw(",\"familyName\":")
        out.string(patient.familyName)
        out.raw(",\"givenName\":")
        out.string(patient.givenName)
        out.raw(",\"id\":")
        out.string(patient.id.rawValue)
        if let mrn = patient.mrn {
            out.raw(",\"mrn\":")
            out.string(mrn)
        }
        out.raw(",\"sex\":")
        out.string(patient.sex)
        out.raw("}")
    }

    private static func write(_ consent: ConsentDirective, _ out: inout JSONBytes) {
        func categories(_ set: Set<DataCategory>, _ out: inout JSONBytes) {
            out.raw("[")
            for (index, category) in DataCategory.allCases.filter(set.contains).enumerated() {
                if index > 0 { out.raw(",") }
                out.string(category.rawValue)
            }
            out.raw("]")
        }
        out.raw("{\"researchCategories\":")
        categories(consent.researchCategories, &out)
        out.raw(",\"researchUses\":[")
        for (index, use) in consent.researchUses.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"code\":")
            out.string(use.duoCode)
            if case .diseaseSpecific(let disease) = use {
                out.raw(",\"disease\":")
                out.string(disease)
            }
            out.raw("}")
        }
        out.raw("],\"secondaryFindings\":")
        out.raw(consent.secondaryFindings ? "true" : "false")
        out.raw(",\"treatment\":")
        categories(consent.treatment, &out)
        out.raw("}")
    }

    /// False for a progress that is not a finite number (the encoder refuses those; the caller falls back to it).
    private static func write(_ run: AnalysisRun, _ out: inout JSONBytes) -> Bool {
        guard run.progress.isFinite else { return false }
        out.raw("{\"analyser\":")
        out.string(run.analyser)
        out.raw(",\"attempts\":")
        out.integer(run.attempts)
        out.raw(",\"createdAt\":")
        out.integer(run.createdAt)
        out.raw(",\"datasetID\":")
        out.string(run.datasetID.rawValue)
        if let error = run.error {
            out.raw(",\"error\":")
            out.string(error)
        }
        if let finishedAt = run.finishedAt {
            out.raw(",\"finishedAt\":")
            out.integer(finishedAt)
        }
        out.raw(",\"id\":")
        out.string(run.id.rawValue)
        out.raw(",\"patientID\":")
        out.string(run.patientID.rawValue)
        out.raw(",\"progress\":")
        out.double(run.progress)
        out.raw(",\"requestedBy\":")
        out.string(run.requestedBy.rawValue)
        if let startedAt = run.startedAt {
            out.raw(",\"startedAt\":")
            out.integer(startedAt)
        }
        out.raw(",\"status\":")
        out.string(run.status.rawValue)
        out.raw("}")
        return true
    }
}

/// JSON text as bytes, written as Foundation's encoder writes scalars: strings escape `"`, `\` and the C0 controls
/// (`\b \f \n \r \t` short, the rest `\u00xx`) and nothing else; a double is its shortest round-trip text without a
/// trailing `.0`.
struct JSONBytes {
    var bytes: [UInt8] = []

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func integer(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func double(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ value: String) {
        bytes.append(0x22)
        for byte in value.utf8 {
            switch byte {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x08: bytes.append(0x5C); bytes.append(0x62)
            case 0x0C: bytes.append(0x5C); bytes.append(0x66)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}
