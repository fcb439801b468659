import Foundation

/// Hand-written bundles for tests: a Patient at entry 0 (`urn:uuid:p1`, id `p1`) followed by `entries`, each a JSON
/// object text for one `Bundle.entry`.
func bundle(type: String = "transaction", patient: Bool = true, _ entries: String...) -> Data {
    var all = entries
    if patient {
        all.insert(
            #"{"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1970-01-02","name":[{"use":"official","family":"Doe","given":["Jane","Q"]}],"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-1"}]}}"#,
            at: 0)
    }
    return Data(#"{"resourceType":"Bundle","type":"\#(type)","entry":[\#(all.joined(separator: ","))]}"#.utf8)
}

/// An Observation entry with id `id`, about `subject`, with the given extra JSON members.
func observation(_ id: String, subject: String = "urn:uuid:p1", _ extra: String = "") -> String {
    #"{"fullUrl":"urn:uuid:\#(id)","resource":{"resourceType":"Observation","id":"\#(id)","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2093-3","display":"Cholesterol"}]},"subject":{"reference":"\#(subject)"},"effectiveDateTime":"2020-01-01T00:00:00Z","valueQuantity":{"value":212,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}\#(extra)}}"#
}
