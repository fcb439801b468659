import Foundation
public import Records

/// Why findings could not be exported. Each case names what was wrong so the caller can point at it.
public enum GenomicsReportingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A finding's `evidence` JSON could not be read. `field` is the path inside the evidence
    /// (`evidence` for unparseable JSON, `evidence.recommendations[0].lookup_key` for a bad or missing field).
    case unreadableEvidence(findingID: String, field: String, reason: String)
    /// An argument is unusable (empty patient reference, an `issued` that is not a FHIR instant, findings of
    /// more than one patient).
    case invalidArgument(name: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableEvidence(let id, let field, let reason): "finding \(id): cannot read \(field): \(reason)"
        case .invalidArgument(let name, let reason): "\(name): \(reason)"
        }
    }
}

/// Tailor's stored pharmacogenomic findings → an HL7 FHIR Genomics Reporting IG STU3 (3.0.0) `collection` Bundle.
///
/// Per analysis run (the findings sharing a `runID`) the bundle holds:
/// - one `genomic-report` DiagnosticReport (category GE, LOINC 51969-4) whose `result` lists the run's
///   observations, with the run's provenance (analyser, version, knowledge packs, input digests) and any
///   findings that could not be expressed as `genomic-report-note` extensions (R4 DiagnosticReport has no `note`);
/// - one `genotype` Observation (LOINC 84413-4) per called `pgx.gene` finding: value = the diplotype,
///   `component[gene-studied]` (48018-6) with the HGNC ID when known, phenotype and provenance in `note`;
/// - one `therapeutic-implication` Observation per recommendation of each `pgx.drug` finding:
///   `component[medication-assessed]` (51963-7, RxNorm when known), `component[therapeutic-implication]` per
///   looked-up gene (LOINC metabolizer answers when the phenotype has one, text otherwise),
///   `component[conclusion-string]` = the recommendation text, implications/classification in `note`,
///   guideline and PMIDs as `workflow-relatedArtifact` extensions, `derivedFrom` the genotypes of its lookup genes.
///
/// Uncalled genes get no genotype; a recommendation none of whose genes has a genotype in the run is left out
/// (derivedFrom is 1..*) — both are listed in the report's notes. Findings of other kinds are ignored.
/// Every `fullUrl` is a `urn:uuid:` derived (UUID v5) from finding/run IDs, and every reference uses those,
/// so the same findings always give byte-identical JSON (``JSONValue/serialized(pretty:)``).
public enum GenomicsReportingExport {
    public static let geneKind = "pgx.gene"
    public static let drugKind = "pgx.drug"

    /// - Parameters:
    ///   - findings: one patient's findings (any order; other kinds than `pgx.gene`/`pgx.drug` are ignored).
    ///   - patientReference: the subject reference written on every resource, e.g. `Patient/pat_123`.
    ///   - issued: FHIR instant for `issued`/`timestamp`, e.g. `2026-12-06T10:00:00Z` (passed in so output is reproducible).
    public static func bundle(findings: [Finding], patientReference: String, issued: String) throws(GenomicsReportingError) -> JSONValue {
        guard !patientReference.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument(name: "patientReference", reason: "is empty")
        }
        guard isInstant(issued) else {
            throw .invalidArgument(name: "issued", reason: "'\(issued)' is not a FHIR instant (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))")
        }
        let relevant = findings.filter { $0.kind == geneKind || $0.kind == drugKind }
        if Set(relevant.map(\.patientID)).count > 1 {
            throw .invalidArgument(name: "findings", reason: "belong to more than one patient")
        }
        var entries: [JSONValue] = []
        let runs = Dictionary(grouping: relevant, by: \.runID)
        for runID in runs.keys.sorted() {
            entries += try runEntries(runID: runID, findings: runs[runID]!, patient: patientReference, issued: issued)
        }
        let bundleID = DeterministicUUID.make("bundle|" + relevant.map(\.id.rawValue).sorted().joined(separator: ","))
        return [
            "resourceType": "Bundle",
            "id": .string(bundleID),
            "identifier": ["system": "urn:ietf:rfc:3986", "value": .string("urn:uuid:" + bundleID)],
            "type": "collection",
            "timestamp": .string(issued),
            "entry": .array(entries),
        ]
    }

    // MARK: One run

    private static func runEntries(runID: RunID, findings: [Finding], patient: String, issued: String) throws(GenomicsReportingError) -> [JSONValue] {
        let ordered = findings.sorted { ($0.subject, $0.id) < ($1.subject, $1.id) }
        var notes: [String] = []
        var genotypes: [JSONValue] = []
        var genotypeURL: [String: String] = [:]
        for finding in ordered where finding.kind == geneKind {
            let gene = try decode(GeneEvidence.self, finding)
            guard gene.gene == finding.subject else {
                throw .unreadableEvidence(findingID: finding.id.rawValue, field: "evidence.gene", reason: "'\(gene.gene)' is not the finding's subject '\(finding.subject)'")
            }
            let calls = gene.printCalls.isEmpty ? gene.diplotypes : gene.printCalls
            guard gene.called, !calls.isEmpty else {
                notes.append("\(gene.gene) was not called (finding \(finding.id.rawValue)); no genotype observation.")
                continue
            }
            let uuid = DeterministicUUID.make("genotype|" + finding.id.rawValue)
            genotypeURL[gene.gene] = "urn:uuid:" + uuid
            genotypes.append(entry(uuid, genotype(finding: finding, gene: gene, calls: calls, id: uuid, patient: patient, issued: issued)))
        }
        var implications: [JSONValue] = []
        for finding in ordered where finding.kind == drugKind {
            let drug = try decode(DrugEvidence.self, finding)
            guard drug.drug == finding.subject else {
                throw .unreadableEvidence(findingID: finding.id.rawValue, field: "evidence.drug", reason: "'\(drug.drug)' is not the finding's subject '\(finding.subject)'")
            }
            for (index, recommendation) in drug.recommendations.enumerated() {
                let sources = recommendation.lookupKey.keys.sorted().compactMap { genotypeURL[$0] }
                guard !sources.isEmpty else {
                    notes.append(
                        "\(drug.drug) (\(drug.source)) recommendation \(index + 1) (finding \(finding.id.rawValue)) not exported: no genotype for "
                            + recommendation.lookupKey.keys.sorted().joined(separator: ", ") + ".")
                    continue
                }
                let uuid = DeterministicUUID.make("therapeutic-implication|\(finding.id.rawValue)|\(index)")
                implications.append(
                    entry(
                        uuid,
                        therapeuticImplication(
                            finding: finding, drug: drug, recommendation: recommendation, derivedFrom: sources, id: uuid, patient: patient,
                            issued: issued)))
            }
        }
        let reportID = DeterministicUUID.make("genomic-report|" + runID.rawValue)
        let results = (genotypes + implications).compactMap { $0["fullUrl"] }.map { url -> JSONValue in ["reference": url] }
        var extensions: [JSONValue] = provenanceLines(runID: runID, findings: ordered).map(reportNote)
        extensions += notes.map(reportNote)
        var report: [String: JSONValue] = [
            "resourceType": "DiagnosticReport",
            "id": .string(reportID),
            "meta": ["profile": [.string(FHIRCodes.genomicReportProfile)]],
            "status": "final",
            // genomic-report category slice `Genetics` (profile-rules: v2-0074#GE, 1..1).
            "category": [["coding": [coding(FHIRCodes.v20074, "GE", "Genetics")]]],
            // genomic-report fixed code: LOINC 51969-4.
            "code": ["coding": [coding(FHIRCodes.loinc, "51969-4", "Genetic analysis report")]],
            "subject": ["reference": .string(patient)],
            "issued": .string(issued),
            "extension": .array(extensions),
        ]
        if !results.isEmpty { report["result"] = .array(results) }
        return [entry(reportID, .object(report))] + genotypes + implications
    }

    // MARK: Resources

    private static func genotype(finding: Finding, gene: GeneEvidence, calls: [String], id: String, patient: String, issued: String) -> JSONValue {
        var geneConcept: [String: JSONValue] = ["text": .string(gene.gene)]
        if let hgnc = hgncIDs[gene.gene] { geneConcept["coding"] = [coding(FHIRCodes.hgnc, hgnc, gene.gene)] }
        var notes: [JSONValue] = []
        let phenotype = gene.phenotype ?? finding.interpretation
        notes.append(["text": .string("Phenotype: " + (phenotype ?? "not assigned"))])
        if let score = gene.activityScore { notes.append(["text": .string("Activity score: \(score)")]) }
        if gene.outsideCall == true { notes.append(["text": "Diplotype from an outside call, not from the sequencing data."]) }
        notes.append(["text": .string(findingNote(finding))])
        return [
            "resourceType": "Observation",
            "id": .string(id),
            "meta": ["profile": [.string(FHIRCodes.genotypeProfile)]],
            "status": "final",
            "category": observationCategories,
            // genotype fixed code: LOINC 84413-4.
            "code": ["coding": [coding(FHIRCodes.loinc, "84413-4", "Genotype display name")]],
            "subject": ["reference": .string(patient)],
            "issued": .string(issued),
            // genotype value[x] 1..1, only CodeableConcept.
            "valueCodeableConcept": ["text": .string("\(gene.gene) " + calls.joined(separator: " or "))],
            // finding component slice gene-studied: LOINC 48018-6, value CodeableConcept (HGNC, extensible).
            "component": [["code": ["coding": [coding(FHIRCodes.loinc, "48018-6", "Gene studied [ID]")]], "valueCodeableConcept": .object(geneConcept)]],
            "note": .array(notes),
        ]
    }

    private static func therapeuticImplication(
        finding: Finding, drug: DrugEvidence, recommendation: DrugEvidence.Recommendation, derivedFrom: [String], id: String, patient: String,
        issued: String
    ) -> JSONValue {
        var medication: [String: JSONValue] = ["text": .string(drug.drug)]
        if let rxcui = rxNormCodes[drug.drug.lowercased()] { medication["coding"] = [coding(FHIRCodes.rxNorm, rxcui, drug.drug)] }
        // therapeutic-implication component slice medication-assessed: LOINC 51963-7.
        var components: [JSONValue] = [["code": ["coding": [coding(FHIRCodes.loinc, "51963-7", "Medication assessed")]], "valueCodeableConcept": .object(medication)]]
        for gene in recommendation.lookupKey.keys.sorted() {
            let key = recommendation.lookupKey[gene]!
            guard key != "see guideline" else { continue }  // Tailor's placeholder, not a phenotype
            var concept: [String: JSONValue] = ["text": .string("\(gene) \(key)")]
            if let answer = therapeuticImplicationAnswers[key.lowercased()] { concept["coding"] = [coding(FHIRCodes.loinc, answer.code, answer.display)] }
            // therapeutic-implication component slice therapeutic-implication: tbd-codes-cs#therapeutic-implication.
            components.append(
                ["code": ["coding": [coding(FHIRCodes.tbdCodes, "therapeutic-implication", "Therapeutic Implication")]], "valueCodeableConcept": .object(concept)])
        }
        // genomic-base component slice conclusion-string: tbd-codes-cs#conclusion-string, valueString, 0..1.
        components.append(["code": ["coding": [coding(FHIRCodes.tbdCodes, "conclusion-string", "Conclusion string")]], "valueString": .string(recommendation.text)])

        var notes: [JSONValue] = []
        var header = "\(drug.source) recommendation"
        if !recommendation.id.isEmpty { header += " \(recommendation.id)" }
        if !recommendation.classification.isEmpty { header += "; classification: \(recommendation.classification)" }
        header += "; population: \(recommendation.population)"
        notes.append(["text": .string(header)])
        for implication in recommendation.implications { notes.append(["text": .string("Implication: " + implication)]) }
        notes.append(["text": .string(findingNote(finding))])

        var guideline: [String: JSONValue] = [
            "type": "documentation", "label": .string(drug.guideline.id), "display": .string("\(drug.guideline.name) (\(drug.source), version \(drug.guideline.version))"),
        ]
        if !drug.guideline.url.isEmpty { guideline["url"] = .string(drug.guideline.url) }
        var artifacts: [JSONValue] = [.object(guideline)]
        for citation in drug.guideline.citations {
            var text = citation.title
            if let journal = citation.journal, !journal.isEmpty { text += " \(journal)" }
            if let year = citation.year { text += " (\(year))" }
            text += ". PMID: \(citation.pmid)"
            artifacts.append(["type": "citation", "label": .string("PMID:\(citation.pmid)"), "citation": .string(text)])
        }
        return [
            "resourceType": "Observation",
            "id": .string(id),
            "meta": ["profile": [.string(FHIRCodes.therapeuticImplicationProfile)]],
            // implication slice workflow-relatedArtifact: the guideline and its PMIDs.
            "extension": .array(artifacts.map { ["url": .string(FHIRCodes.relatedArtifactExtension), "valueRelatedArtifact": $0] }),
            "status": "final",
            "category": observationCategories,
            // therapeutic-implication fixed code: tbd-codes-cs#therapeutic-implication; value[x] 0..0.
            "code": ["coding": [coding(FHIRCodes.tbdCodes, "therapeutic-implication", "Therapeutic Implication")]],
            "subject": ["reference": .string(patient)],
            "issued": .string(issued),
            // implication derivedFrom 1..*.
            "derivedFrom": .array(derivedFrom.map { ["reference": .string($0)] }),
            "component": .array(components),
            "note": .array(notes),
        ]
    }

    // MARK: Pieces

    /// genomic-base category slices labCategory (observation-category#laboratory) and geCategory (v2-0074#GE), each 1..1.
    private static let observationCategories: JSONValue = [
        ["coding": [coding(FHIRCodes.observationCategory, "laboratory", "Laboratory")]],
        ["coding": [coding(FHIRCodes.v20074, "GE", "Genetics")]],
    ]

    private static func coding(_ system: String, _ code: String, _ display: String) -> JSONValue {
        ["system": .string(system), "code": .string(code), "display": .string(display)]
    }

    private static func entry(_ uuid: String, _ resource: JSONValue) -> JSONValue {
        ["fullUrl": .string("urn:uuid:" + uuid), "resource": resource]
    }

    private static func reportNote(_ text: String) -> JSONValue {
        ["url": .string(FHIRCodes.genomicReportNoteExtension), "valueAnnotation": ["text": .string(text)]]
    }

    private static func findingNote(_ finding: Finding) -> String {
        "Tailor finding \(finding.id.rawValue) (run \(finding.runID.rawValue)): " + provenanceText(finding.provenance)
    }

    private static func provenanceText(_ p: Provenance) -> String {
        var text = "analyser \(p.analyser) \(p.analyserVersion)"
        if !p.knowledge.isEmpty { text += "; knowledge " + p.knowledge.keys.sorted().map { "\($0) \(p.knowledge[$0]!)" }.joined(separator: ", ") }
        if !p.inputDigests.isEmpty { text += "; inputs " + p.inputDigests.keys.sorted().map { "\($0) sha256:\(p.inputDigests[$0]!)" }.joined(separator: ", ") }
        return text
    }

    private static func provenanceLines(runID: RunID, findings: [Finding]) -> [String] {
        let distinct = Set(findings.map { provenanceText($0.provenance) }).sorted()
        return distinct.map { "Tailor analysis run \(runID.rawValue), \(findings.count) findings: \($0)" }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ finding: Finding) throws(GenomicsReportingError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(finding.evidence.utf8))
        } catch let error as DecodingError {
            let (path, reason): ([any CodingKey], String) =
                switch error {
                case .keyNotFound(let key, let context): (context.codingPath + [key], "missing")
                case .typeMismatch(let type, let context): (context.codingPath, "not a \(type): \(context.debugDescription)")
                case .valueNotFound(let type, let context): (context.codingPath, "null where \(type) was expected")
                case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
                @unknown default: ([], "\(error)")
                }
            let field = path.reduce("evidence") { text, key in key.intValue.map { text + "[\($0)]" } ?? text + "." + key.stringValue }
            throw .unreadableEvidence(findingID: finding.id.rawValue, field: field, reason: reason)
        } catch {
            throw .unreadableEvidence(findingID: finding.id.rawValue, field: "evidence", reason: "\(error)")
        }
    }

    /// FHIR `instant`: `YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)`.
    static func isInstant(_ text: String) -> Bool {
        let u = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= u.count && u[range].allSatisfy { (0x30...0x39).contains($0) } }
        guard u.count >= 20, digits(0..<4), u[4] == 0x2D, digits(5..<7), u[7] == 0x2D, digits(8..<10), u[10] == 0x54, digits(11..<13), u[13] == 0x3A,
            digits(14..<16), u[16] == 0x3A, digits(17..<19)
        else { return false }
        var i = 19
        if u[i] == 0x2E {
            i += 1
            let start = i
            while i < u.count, (0x30...0x39).contains(u[i]) { i += 1 }
            if i == start { return false }
        }
        guard i < u.count else { return false }
        if u[i] == 0x5A { return i + 1 == u.count }
        guard u[i] == 0x2B || u[i] == 0x2D, u.count == i + 6, digits(i + 1..<i + 3), u[i + 3] == 0x3A, digits(i + 4..<i + 6) else { return false }
        return true
    }
}
