public import Foundation

/// Reads a FHIR R4 Bundle (transaction, batch or collection, JSON) into an ``ImportPlan``: bytes in, values out, no
/// store and no network, so the whole import can be tested from fixtures and the store can apply the plan in one
/// transaction.
///
/// Why JSONSerialization rather than Codable: a bundle mixes ~16 resource types of which we read a dozen fields each and
/// skip the rest (Claims and ExplanationOfBenefits are half the bytes). Walking untyped dictionaries reads only what we
/// map, keeps unknown types cheap to skip, and lets every error carry the exact JSON path.
public enum FHIRBundleImporter {
    /// Resource types whose entries are mapped into the plan (Patient becomes an ``ImportedPatient``).
    public static let importedTypes: Set<String> = [
        "Patient", "Observation", "Condition", "MedicationRequest", "MedicationStatement", "AllergyIntolerance",
        "Procedure", "Encounter", "DiagnosticReport", "Immunization",
    ]
    /// Resource types that are only the targets of references (a prescriber, a Medication's code): resolved, never
    /// stored, never an error even in strict mode.
    public static let referenceTargetTypes: Set<String> = [
        "Organization", "Practitioner", "PractitionerRole", "Location", "Medication", "RelatedPerson", "Device", "Substance",
    ]

    /// Parses and maps a whole bundle, or throws on the first problem. See ``FHIRImportError`` for what is rejected.
    public static func plan(_ data: Data, options: FHIRImportOptions = FHIRImportOptions()) throws(FHIRImportError) -> ImportPlan {
        guard data.count <= options.maxBytes else { throw .tooLarge(bytes: data.count, limit: options.maxBytes) }
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw FHIRImportError.notJSON(detail: "the top level is not an object")
            }
            root = object
        } catch let error as FHIRImportError {
            throw error
        } catch {
            throw .notJSON(detail: "\(error.localizedDescription)")
        }
        guard let resourceType = root["resourceType"] as? String, resourceType == "Bundle" else {
            throw .notABundle(resourceType: root["resourceType"] as? String)
        }
        let bundleType = root["type"] as? String
        guard let bundleType, options.acceptedBundleTypes.contains(bundleType) else {
            throw .unsupportedBundleType(bundleType, accepted: options.acceptedBundleTypes.sorted())
        }
        let rawEntries: [Any]
        switch root["entry"] {
        case nil: rawEntries = []
        case let array as [Any]: rawEntries = array
        default: throw .invalid(entry: nil, path: "entry", message: "is not an array")
        }
        var mapper = try BundleMapper(entries: rawEntries)
        return try mapper.map(bundleType: bundleType, strict: options.strict)
    }
}

/// One bundle entry after the first pass.
private struct IndexedEntry {
    var resource: [String: Any]
    var source: SourceIdentity
}

/// The two passes over a bundle: index every entry (keys, fullUrls, `Type/id`), then map each resource, resolving
/// references against the index.
private struct BundleMapper {
    var entries: [IndexedEntry] = []
    /// `fullUrl` → entry index.
    var byFullUrl: [String: Int] = [:]
    /// `ResourceType/id` → entry index.
    var byTypeAndID: [String: Int] = [:]

    var mapped: [String: Int] = [:]
    var produced: [ImportedKind: Int] = [:]
    var skipped: [ImportSkip: Int] = [:]

    init(entries raw: [Any]) throws(FHIRImportError) {
        entries.reserveCapacity(raw.count)
        var byKey: [String: Int] = [:]
        for (index, element) in raw.enumerated() {
            guard let entry = element as? [String: Any] else {
                throw .invalid(entry: index, path: "entry[\(index)]", message: "is not an object")
            }
            guard let resource = entry["resource"] as? [String: Any] else {
                throw .invalid(
                    entry: index, path: "entry[\(index)].resource",
                    message: "is missing (entries without a resource, such as DELETE requests, cannot be imported)")
            }
            guard let type = resource["resourceType"] as? String, !type.isEmpty else {
                throw .invalid(entry: index, path: "entry[\(index)].resource.resourceType", message: "is missing")
            }
            let id = resource["id"] as? String
            let fullUrl = entry["fullUrl"] as? String
            let key: String
            if let id, !id.isEmpty {
                key = "\(type)/\(id)"
            } else if let fullUrl, !fullUrl.isEmpty {
                key = fullUrl
            } else {
                throw .invalid(
                    entry: index, path: "entry[\(index)].resource.id",
                    message: "neither resource.id nor fullUrl is given, so the entry has no stable identity for re-import")
            }
            if let first = byKey[key] { throw .duplicateResource(entry: index, firstEntry: first, key: key) }
            byKey[key] = index
            if let fullUrl, !fullUrl.isEmpty { byFullUrl[fullUrl] = index }
            if let id, !id.isEmpty { byTypeAndID["\(type)/\(id)"] = index }
            entries.append(
                IndexedEntry(resource: resource, source: SourceIdentity(resourceType: type, id: id, fullUrl: fullUrl, entryIndex: index, key: key)))
        }
    }

    mutating func map(bundleType: String, strict: Bool) throws(FHIRImportError) -> ImportPlan {
        var patients: [ImportedPatient] = []
        var patientSlot: [Int: Int] = [:]  // entry index of a Patient → position in `patients`
        var pending: [(patientEntry: Int, entries: [ImportedEntry])] = []

        for (index, entry) in entries.enumerated() {
            let type = entry.source.resourceType
            if type == "Patient" {
                patientSlot[index] = patients.count
                patients.append(try patient(entry))
                mapped[type, default: 0] += 1
                continue
            }
            guard FHIRBundleImporter.importedTypes.contains(type) else {
                if FHIRBundleImporter.referenceTargetTypes.contains(type) {
                    skip(type, ImportSkip.Reason.referenceTarget)
                } else if strict {
                    throw .unsupportedResourceType(entry: index, resourceType: type)
                } else {
                    skip(type, ImportSkip.Reason.notImported)
                }
                continue
            }
            guard let owner = try patientReference(entry) else {
                skip(type, ImportSkip.Reason.noPatient)
                continue
            }
            let items = try clinical(entry)
            guard !items.isEmpty else {
                skip(type, ImportSkip.Reason.noCode)
                continue
            }
            mapped[type, default: 0] += 1
            for item in items { produced[item.kind, default: 0] += 1 }
            pending.append((owner, items))
        }
        for (owner, items) in pending {
            // `patientReference` only returns entries whose type is Patient, so the slot exists.
            guard let slot = patientSlot[owner] else { continue }
            patients[slot].entries.append(contentsOf: items)
        }
        let report = ImportReport(bundleType: bundleType, totalEntries: entries.count, mapped: mapped, produced: produced, skipped: skipped)
        return ImportPlan(patients: patients, report: report)
    }

    private mutating func skip(_ type: String, _ reason: String) {
        skipped[ImportSkip(resourceType: type, reason: reason), default: 0] += 1
    }

    // MARK: References

    /// Resolves `reference` (`urn:uuid:…`, `Type/id`, `Type/id/_history/n` or an absolute URL ending in `Type/id`) to an
    /// entry index, or throws a dangling-reference error naming `path`.
    func resolve(_ reference: String, entry: Int, path: String) throws(FHIRImportError) -> Int {
        if let hit = byFullUrl[reference] { return hit }
        var parts = reference.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 4, parts[parts.count - 2] == "_history" { parts.removeLast(2) }
        if parts.count >= 2, let hit = byTypeAndID["\(parts[parts.count - 2])/\(parts[parts.count - 1])"] { return hit }
        throw .danglingReference(entry: entry, path: path, reference: reference)
    }

    /// The `reference` string of the Reference at `resource[key]`, with its path; `nil` when the element is absent or
    /// carries only an identifier or display (a logical reference we cannot resolve and do not require).
    func referenceString(_ resource: [String: Any], _ key: String, entry: Int) throws(FHIRImportError) -> (String, String)? {
        guard let value = resource[key] else { return nil }
        guard let object = value as? [String: Any] else {
            throw .invalid(entry: entry, path: "entry[\(entry)].resource.\(key)", message: "is not a Reference object")
        }
        guard let reference = object["reference"] as? String else { return nil }
        return (reference, "entry[\(entry)].resource.\(key).reference")
    }

    /// The Patient entry this resource is about (`subject`, or `patient` for AllergyIntolerance and Immunization);
    /// `nil` when it names none or names a non-Patient (a Group), which the caller reports as skipped.
    func patientReference(_ entry: IndexedEntry) throws(FHIRImportError) -> Int? {
        let index = entry.source.entryIndex
        let key = entry.resource["subject"] != nil ? "subject" : "patient"
        guard let (reference, path) = try referenceString(entry.resource, key, entry: index) else { return nil }
        let target = try resolve(reference, entry: index, path: path)
        return entries[target].source.resourceType == "Patient" ? target : nil
    }

    /// The idempotency key of the encounter named by `encounter` (or MedicationStatement's `context`); dangling → error.
    func encounterKey(_ entry: IndexedEntry) throws(FHIRImportError) -> String? {
        let index = entry.source.entryIndex
        let key = entry.resource["encounter"] != nil ? "encounter" : "context"
        guard let (reference, path) = try referenceString(entry.resource, key, entry: index) else { return nil }
        return entries[try resolve(reference, entry: index, path: path)].source.key
    }

    // MARK: Patient

    func patient(_ entry: IndexedEntry) throws(FHIRImportError) -> ImportedPatient {
        let r = entry.resource
        let index = entry.source.entryIndex
        var given = "", family = ""
        if let names = r["name"] as? [[String: Any]], !names.isEmpty {
            let name =
                names.first { $0["use"] as? String == "official" } ?? names.first { $0["use"] as? String == "usual" } ?? names[0]
            given = ((name["given"] as? [String]) ?? []).joined(separator: " ")
            family = name["family"] as? String ?? (given.isEmpty ? name["text"] as? String ?? "" : "")
        }
        var mrn: String?
        if let identifiers = r["identifier"] as? [[String: Any]] {
            for identifier in identifiers {
                let codings = ((identifier["type"] as? [String: Any])?["coding"] as? [[String: Any]]) ?? []
                if codings.contains(where: { $0["code"] as? String == "MR" }), let value = identifier["value"] as? String {
                    mrn = value
                    break
                }
            }
        }
        let birthDate = r["birthDate"] as? String
        if let birthDate, !FHIRDate.isValidDate(birthDate) {
            throw .malformedDate(entry: index, path: "entry[\(index)].resource.birthDate", value: birthDate)
        }
        return ImportedPatient(
            source: entry.source, mrn: mrn, givenName: given, familyName: family, birthDate: birthDate,
            sex: r["gender"] as? String ?? "unknown", entries: [])
    }

    // MARK: Clinical resources

    /// The entries one clinical resource becomes (empty when it has no usable coding).
    func clinical(_ entry: IndexedEntry) throws(FHIRImportError) -> [ImportedEntry] {
        let r = entry.resource
        let index = entry.source.entryIndex
        let base = "entry[\(index)].resource"
        let encounter = try encounterKey(entry)
        func make(_ kind: ImportedKind, _ category: String, _ coding: Coding, status: String?, at: Int64?) -> ImportedEntry {
            ImportedEntry(
                source: entry.source, kind: kind, category: category, system: coding.system, code: coding.code, display: coding.display,
                status: status, effectiveAt: at, encounterKey: encounter)
        }
        switch entry.source.resourceType {
        case "Observation":
            return try observation(entry, encounter: encounter)

        case "Condition":
            guard let coding = Coding.choose(r["code"], prefer: Codes.conditionPreference) else { return [] }
            let at = try firstTime(r, index, ["onsetDateTime", "onsetPeriod", "recordedDate"])
            _ = try firstTime(r, index, ["abatementDateTime", "abatementPeriod"])
            let category = Coding.firstCode(inList: r["category"]) ?? "problem-list-item"
            return [make(.condition, category, coding, status: clinicalStatus(r), at: at)]

        case "AllergyIntolerance":
            guard let coding = Coding.choose(r["code"], prefer: Codes.allergyPreference) else { return [] }
            let at = try firstTime(r, index, ["onsetDateTime", "onsetPeriod", "recordedDate"])
            var item = make(.allergy, "allergy", coding, status: clinicalStatus(r), at: at)
            item.valueText = r["criticality"] as? String
            return [item]

        case "MedicationRequest", "MedicationStatement":
            guard let coding = try medication(entry) else { return [] }
            let isRequest = entry.source.resourceType == "MedicationRequest"
            let at = try firstTime(r, index, isRequest ? ["authoredOn"] : ["effectiveDateTime", "effectivePeriod", "dateAsserted"])
            let category = Coding.firstCode(inList: r["category"]) ?? (isRequest ? "medication-request" : "medication-statement")
            var item = make(.medication, category, coding, status: r["status"] as? String, at: at)
            let dosageKey = isRequest ? "dosageInstruction" : "dosage"
            item.valueText = ((r[dosageKey] as? [[String: Any]])?.first?["text"] as? String)
            return [item]

        case "Immunization":
            guard let coding = Coding.choose(r["vaccineCode"], prefer: [Codes.cvx]) else { return [] }
            let at = try firstTime(r, index, ["occurrenceDateTime", "recorded"])
            return [make(.immunization, "immunization", coding, status: r["status"] as? String, at: at)]

        case "Procedure":
            guard let coding = Coding.choose(r["code"], prefer: [Codes.snomed]) else { return [] }
            let at = try firstTime(r, index, ["performedDateTime", "performedPeriod"])
            return [make(.procedure, "procedure", coding, status: r["status"] as? String, at: at)]

        case "Encounter":
            let typeCoding = (r["type"] as? [Any]).flatMap { types in types.lazy.compactMap { Coding.choose($0, prefer: [Codes.snomed]) }.first }
            guard let coding = typeCoding ?? Coding.from(r["class"]) else { return [] }
            let at = try firstTime(r, index, ["period"])
            var item = make(.encounter, "encounter", coding, status: r["status"] as? String, at: at)
            item.valueText = (r["class"] as? [String: Any])?["code"] as? String
            return [item]

        case "DiagnosticReport":
            guard let coding = Coding.choose(r["code"], prefer: [Codes.loinc]) else { return [] }
            let at = try firstTime(r, index, ["effectiveDateTime", "effectivePeriod"])
            _ = try firstTime(r, index, ["issued"])
            if let results = r["result"] as? [Any] {
                for (position, element) in results.enumerated() {
                    if let reference = (element as? [String: Any])?["reference"] as? String {
                        _ = try resolve(reference, entry: index, path: "\(base).result[\(position)].reference")
                    }
                }
            }
            var item = make(.report, "report", coding, status: r["status"] as? String, at: at)
            item.valueText = r["conclusion"] as? String
            return [item]

        default:
            return []
        }
    }

    /// An Observation: one entry for its own value (if it has one or has no components) and one per component, each
    /// with the component's code — so systolic and diastolic pressure are separate, LOINC-coded rows.
    func observation(_ entry: IndexedEntry, encounter: String?) throws(FHIRImportError) -> [ImportedEntry] {
        let r = entry.resource
        let index = entry.source.entryIndex
        let base = "entry[\(index)].resource"
        let at = try firstTime(r, index, ["effectiveDateTime", "effectiveInstant", "effectivePeriod"])
        _ = try firstTime(r, index, ["issued"])
        var category = Coding.firstCode(inList: r["category"], system: Codes.observationCategory) ?? Coding.firstCode(inList: r["category"])
            ?? "uncategorized"
        if category == "vital-sign" { category = "vital-signs" }  // seen in Synthea: the R4 code is plural
        let status = r["status"] as? String
        let components = (r["component"] as? [[String: Any]]) ?? []
        var items: [ImportedEntry] = []

        if let coding = Coding.choose(r["code"], prefer: Codes.observationPreference) {
            let value = try ObservationValue(r, path: base, entry: index)
            if value.isPresent || components.isEmpty {
                items.append(
                    ImportedEntry(
                        source: entry.source, kind: .observation, category: category, system: coding.system, code: coding.code,
                        display: coding.display, valueNumber: value.number, valueText: value.text, unit: value.unit, status: status,
                        effectiveAt: at, encounterKey: encounter))
            }
        } else if components.isEmpty {
            return []
        }
        var seen: Set<String> = []
        for (position, component) in components.enumerated() {
            guard let coding = Coding.choose(component["code"], prefer: Codes.observationPreference) else { continue }
            let value = try ObservationValue(component, path: "\(base).component[\(position)]", entry: index)
            var suffix = "\(coding.system)|\(coding.code)"
            if !seen.insert(suffix).inserted { suffix += "#\(position)" }
            var source = entry.source
            source.key += "/component/" + suffix
            items.append(
                ImportedEntry(
                    source: source, kind: .observation, category: category, system: coding.system, code: coding.code,
                    display: coding.display, valueNumber: value.number, valueText: value.text, unit: value.unit, status: status,
                    effectiveAt: at, encounterKey: encounter))
        }
        return items
    }

    /// The drug's coding: `medicationCodeableConcept`, or the code of the Medication that `medicationReference` names
    /// (in the bundle or `contained`).
    func medication(_ entry: IndexedEntry) throws(FHIRImportError) -> Coding? {
        let r = entry.resource
        let index = entry.source.entryIndex
        if let concept = r["medicationCodeableConcept"] { return Coding.choose(concept, prefer: [Codes.rxnorm]) }
        guard let (reference, path) = try referenceString(r, "medicationReference", entry: index) else { return nil }
        let medication: [String: Any]
        if reference.hasPrefix("#") {
            let id = String(reference.dropFirst())
            guard let found = (r["contained"] as? [[String: Any]])?.first(where: { $0["id"] as? String == id }) else {
                throw .danglingReference(entry: index, path: path, reference: reference)
            }
            medication = found
        } else {
            medication = entries[try resolve(reference, entry: index, path: path)].resource
        }
        guard medication["resourceType"] as? String == "Medication" else {
            throw .invalid(entry: index, path: path, message: "\(reference) is not a Medication")
        }
        return Coding.choose(medication["code"], prefer: [Codes.rxnorm])
    }

    /// Condition/AllergyIntolerance status: `entered-in-error` or `refuted` verification wins (the record must not
    /// show a refuted diagnosis as active), else the clinical status code.
    func clinicalStatus(_ r: [String: Any]) -> String? {
        // The code alone is enough here: these elements have one required value set, so a missing system is harmless.
        func code(_ key: String) -> String? {
            (((r[key] as? [String: Any])?["coding"] as? [Any])?.first as? [String: Any])?["code"] as? String
        }
        if let verification = code("verificationStatus"), verification == "entered-in-error" || verification == "refuted" {
            return verification
        }
        return code("clinicalStatus")
    }

    /// The first of `keys` that is present, as ms since 1970; a Period contributes its `start` (its `end` is validated).
    /// Any present value that is not a valid FHIR date/dateTime is an error naming its path.
    func firstTime(_ r: [String: Any], _ index: Int, _ keys: [String]) throws(FHIRImportError) -> Int64? {
        var result: Int64?
        for key in keys {
            guard let value = r[key] else { continue }
            let path = "entry[\(index)].resource.\(key)"
            if let text = value as? String {
                guard let millis = FHIRDate.epochMillis(text) else { throw .malformedDate(entry: index, path: path, value: text) }
                if result == nil { result = millis }
            } else if let period = value as? [String: Any] {
                for bound in ["start", "end"] {
                    guard let raw = period[bound] else { continue }
                    guard let text = raw as? String, let millis = FHIRDate.epochMillis(text) else {
                        throw .malformedDate(entry: index, path: "\(path).\(bound)", value: "\(raw)")
                    }
                    if bound == "start", result == nil { result = millis }
                }
            } else {
                throw .malformedDate(entry: index, path: path, value: "\(value)")
            }
        }
        return result
    }
}

/// An Observation's (or component's) `value[x]` in the record's three value columns.
private struct ObservationValue {
    var number: Double?
    var text: String?
    var unit: String?
    var isPresent: Bool { number != nil || text != nil }

    init(_ r: [String: Any], path: String, entry: Int) throws(FHIRImportError) {
        if let quantity = r["valueQuantity"] as? [String: Any] {
            number = (quantity["value"] as? NSNumber)?.doubleValue
            // The UCUM code is the machine-readable unit ("mm[Hg]"); the free-text unit is the fallback.
            let ucum = quantity["system"] as? String == Codes.ucum ? quantity["code"] as? String : nil
            unit = ucum ?? quantity["unit"] as? String ?? quantity["code"] as? String
            if let comparator = quantity["comparator"] as? String, let number {
                text = "\(comparator)\(number)"
            }
        } else if let concept = r["valueCodeableConcept"] {
            let coding = Coding.choose(concept, prefer: [Codes.snomed, Codes.loinc])
            text = coding?.display ?? (concept as? [String: Any])?["text"] as? String ?? coding?.code
        } else if let string = r["valueString"] as? String {
            text = string
        } else if let integer = r["valueInteger"] as? NSNumber {
            number = integer.doubleValue
        } else if let flag = r["valueBoolean"] as? Bool {
            text = flag ? "true" : "false"
        } else if let dateTime = r["valueDateTime"] as? String {
            guard FHIRDate.epochMillis(dateTime) != nil else {
                throw .malformedDate(entry: entry, path: "\(path).valueDateTime", value: dateTime)
            }
            text = dateTime
        }
    }
}

/// A chosen coding.
struct Coding: Hashable {
    var system: String
    var code: String
    var display: String?

    /// From a FHIR `Coding` object (needs both system and code).
    static func from(_ value: Any?) -> Coding? {
        guard let object = value as? [String: Any], let system = object["system"] as? String, let code = object["code"] as? String,
            !code.isEmpty
        else { return nil }
        return Coding(system: system, code: code, display: object["display"] as? String)
    }

    /// From a `CodeableConcept`: the first coding in the first preferred system that has one, else the first complete
    /// coding. The concept's `text` stands in for a missing display.
    static func choose(_ concept: Any?, prefer systems: [String]) -> Coding? {
        guard let object = concept as? [String: Any], let codings = object["coding"] as? [Any] else { return nil }
        let all = codings.compactMap(from)
        var chosen: Coding?
        for system in systems {
            if let hit = all.first(where: { $0.system == system }) {
                chosen = hit
                break
            }
        }
        guard var result = chosen ?? all.first else { return nil }
        if result.display == nil { result.display = object["text"] as? String }
        return result
    }

    /// The first coding's code in a list of CodeableConcepts (optionally only from `system`).
    static func firstCode(inList value: Any?, system: String? = nil) -> String? {
        guard let concepts = value as? [Any] else { return nil }
        for concept in concepts {
            for coding in ((concept as? [String: Any])?["coding"] as? [Any]) ?? [] {
                guard let coding = coding as? [String: Any], let code = coding["code"] as? String else { continue }
                if system == nil || coding["system"] as? String == system { return code }
            }
        }
        return nil
    }
}

/// Code system URIs, and which one to keep when a concept carries several.
enum Codes {
    static let loinc = "http://loinc.org"
    static let snomed = "http://snomed.info/sct"
    static let rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    static let cvx = "http://hl7.org/fhir/sid/cvx"
    static let icd10cm = "http://hl7.org/fhir/sid/icd-10-cm"
    static let icd10 = "http://hl7.org/fhir/sid/icd-10"
    static let ucum = "http://unitsofmeasure.org"
    static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"

    static let observationPreference = [loinc, snomed]
    static let conditionPreference = [snomed, icd10cm, icd10]
    static let allergyPreference = [snomed, rxnorm]
}
