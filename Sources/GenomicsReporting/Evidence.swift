/// The parts of the PGx analyser's evidence JSON this module reads. They mirror `PGxSampleReport.GeneResult`
/// and `PGxSampleReport.DrugResult` (Sources/PGx/PGxAnalyser.swift) field for field, but only the fields used
/// here, so the export does not depend on the PGx module.
struct GeneEvidence: Decodable, Sendable {
    var gene: String
    var called: Bool
    var diplotypes: [String]
    var printCalls: [String]
    var phenotype: String?
    var activityScore: String?
    var outsideCall: Bool?

    enum CodingKeys: String, CodingKey {
        case gene, called, diplotypes, phenotype
        case printCalls = "print_calls", activityScore = "activity_score", outsideCall = "outside_call"
    }
}

struct DrugEvidence: Decodable, Sendable {
    var drug: String
    var source: String
    var guideline: Guideline
    var recommendations: [Recommendation]

    struct Guideline: Decodable, Sendable {
        var id: String
        var name: String
        var url: String
        var version: String
        var citations: [Citation]
    }

    struct Citation: Decodable, Sendable {
        var pmid: String
        var title: String
        var journal: String?
        var year: Int?
    }

    struct Recommendation: Decodable, Sendable {
        var id: String
        var population: String
        var classification: String
        var lookupKey: [String: String]
        var text: String
        var implications: [String]

        enum CodingKeys: String, CodingKey {
            case id, population, classification, text, implications
            case lookupKey = "lookup_key"
        }
    }
}
