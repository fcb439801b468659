import Foundation
import Interop
import Testing

/// One rejected body and what the error must say.
struct Rejection: Sendable, CustomTestStringConvertible {
    var name: String
    var body: Data
    var options = FHIRImportOptions()
    var expected: FHIRImportError
    var testDescription: String { name }
}

let rejections: [Rejection] = [
    Rejection(
        name: "dangling subject", body: bundle(observation("o1", subject: "urn:uuid:nobody")),
        expected: .danglingReference(entry: 1, path: "entry[1].resource.subject.reference", reference: "urn:uuid:nobody")),
    Rejection(
        name: "dangling Type/id encounter", body: bundle(observation("o1", #","encounter":{"reference":"Encounter/e9"}"#)),
        expected: .danglingReference(entry: 1, path: "entry[1].resource.encounter.reference", reference: "Encounter/e9")),
    Rejection(
        name: "dangling medicationReference",
        body: bundle(
            #"{"fullUrl":"urn:uuid:m1","resource":{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","subject":{"reference":"urn:uuid:p1"},"medicationReference":{"reference":"urn:uuid:med-missing"}}}"#
        ),
        expected: .danglingReference(entry: 1, path: "entry[1].resource.medicationReference.reference", reference: "urn:uuid:med-missing")),
    Rejection(
        name: "dangling DiagnosticReport.result",
        body: bundle(
            #"{"fullUrl":"urn:uuid:r1","resource":{"resourceType":"DiagnosticReport","id":"r1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"57698-3"}]},"subject":{"reference":"urn:uuid:p1"},"result":[{"reference":"urn:uuid:gone"}]}}"#
        ),
        expected: .danglingReference(entry: 1, path: "entry[1].resource.result[0].reference", reference: "urn:uuid:gone")),
    Rejection(
        name: "malformed effectiveDateTime", body: bundle(observation("o1"), observation("o2", #","effectiveDateTime":"2020-13-01""#)),
        expected: .malformedDate(entry: 2, path: "entry[2].resource.effectiveDateTime", value: "2020-13-01")),
    Rejection(
        name: "malformed Feb 30 onset",
        body: bundle(
            #"{"fullUrl":"urn:uuid:c1","resource":{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]},"subject":{"reference":"urn:uuid:p1"},"onsetDateTime":"2019-02-30"}}"#
        ),
        expected: .malformedDate(entry: 1, path: "entry[1].resource.onsetDateTime", value: "2019-02-30")),
    Rejection(
        name: "malformed period end",
        body: bundle(
            #"{"fullUrl":"urn:uuid:x1","resource":{"resourceType":"Procedure","id":"x1","status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"1"}]},"subject":{"reference":"urn:uuid:p1"},"performedPeriod":{"start":"2020-01-01T10:00:00Z","end":"yesterday"}}}"#
        ),
        expected: .malformedDate(entry: 1, path: "entry[1].resource.performedPeriod.end", value: "yesterday")),
    Rejection(
        name: "malformed birthDate (a dateTime is not a date)",
        body: Data(
            #"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p","birthDate":"1970-01-01T00:00:00Z"}}]}"#
                .utf8),
        expected: .malformedDate(entry: 0, path: "entry[0].resource.birthDate", value: "1970-01-01T00:00:00Z")),
    Rejection(
        name: "not a Bundle", body: Data(#"{"resourceType":"Patient","id":"p1"}"#.utf8), expected: .notABundle(resourceType: "Patient")),
    Rejection(name: "no resourceType", body: Data(#"{"entry":[]}"#.utf8), expected: .notABundle(resourceType: nil)),
    Rejection(
        name: "searchset bundle", body: bundle(type: "searchset"),
        expected: .unsupportedBundleType("searchset", accepted: ["batch", "collection", "transaction"])),
    Rejection(name: "JSON array", body: Data("[1,2]".utf8), expected: .notJSON(detail: "the top level is not an object")),
    Rejection(
        name: "oversize", body: bundle(observation("o1")), options: FHIRImportOptions(maxBytes: 100),
        expected: .tooLarge(bytes: bundle(observation("o1")).count, limit: 100)),
    Rejection(
        name: "unknown type in strict mode",
        body: bundle(#"{"fullUrl":"urn:uuid:z","resource":{"resourceType":"Frobnicator","id":"z"}}"#),
        options: FHIRImportOptions(strict: true), expected: .unsupportedResourceType(entry: 1, resourceType: "Frobnicator")),
    Rejection(
        name: "duplicate resource", body: bundle(observation("o1"), observation("o1")),
        expected: .duplicateResource(entry: 2, firstEntry: 1, key: "Observation/o1")),
    Rejection(
        name: "entry without resource (DELETE)",
        body: bundle(#"{"request":{"method":"DELETE","url":"Observation/o1"}}"#),
        expected: .invalid(
            entry: 1, path: "entry[1].resource",
            message: "is missing (entries without a resource, such as DELETE requests, cannot be imported)")),
]

@Suite struct BadInputTests {
    @Test(arguments: rejections)
    func rejectedWithEntryAndPath(_ rejection: Rejection) {
        #expect(throws: rejection.expected) { try FHIRBundleImporter.plan(rejection.body, options: rejection.options) }
    }

    @Test func danglingReferenceMessageNamesEntryAndPath() {
        let error = FHIRImportError.danglingReference(entry: 12, path: "entry[12].resource.subject.reference", reference: "urn:uuid:abc")
        #expect(error.description == "entry[12].resource.subject.reference: urn:uuid:abc is not in the bundle")
        #expect(error.entryIndex == 12)
        #expect(error.path == "entry[12].resource.subject.reference")
    }

    @Test func invalidJSONIsNotJSON() {
        #expect {
            try FHIRBundleImporter.plan(Data("{\"resourceType\": \"Bundle\", ".utf8))
        } throws: { error in
            if case .notJSON = error as? FHIRImportError { return true }
            return false
        }
    }

    @Test func oversizeIsRejectedBeforeParsing() {
        // Not JSON at all: if the size check ran after parsing, this would be a notJSON error instead.
        let body = Data(repeating: 0x7B, count: 2_000)
        #expect(throws: FHIRImportError.tooLarge(bytes: 2_000, limit: 1_000)) {
            try FHIRBundleImporter.plan(body, options: FHIRImportOptions(maxBytes: 1_000))
        }
    }

    @Test func unknownResourceTypeIsSkippedWithCountWhenNotStrict() throws {
        let plan = try FHIRBundleImporter.plan(
            bundle(
                #"{"fullUrl":"urn:uuid:z1","resource":{"resourceType":"Frobnicator","id":"z1"}}"#,
                #"{"fullUrl":"urn:uuid:z2","resource":{"resourceType":"Frobnicator","id":"z2"}}"#, observation("o1"),
                #"{"fullUrl":"urn:uuid:org","resource":{"resourceType":"Organization","id":"org"}}"#))
        #expect(plan.report.skipped[ImportSkip(resourceType: "Frobnicator", reason: ImportSkip.Reason.notImported)] == 2)
        #expect(plan.report.skipped[ImportSkip(resourceType: "Organization", reason: ImportSkip.Reason.referenceTarget)] == 1)
        #expect(plan.report.mapped == ["Patient": 1, "Observation": 1])
        #expect(plan.patients[0].entries.count == 1)
    }

    @Test func strictModeStillAcceptsReferenceTargets() throws {
        let plan = try FHIRBundleImporter.plan(
            bundle(#"{"fullUrl":"urn:uuid:org","resource":{"resourceType":"Organization","id":"org"}}"#),
            options: FHIRImportOptions(strict: true))
        #expect(plan.report.skipped.values.reduce(0, +) == 1)
    }
}
