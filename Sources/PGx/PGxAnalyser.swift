public import Knowledge
import Foundation

/// Everything the PGx analyser reads from the `pgx` pack, loaded once and shared (CLI, server, batch).
public struct PGxKnowledge: Sendable {
    public var definitions: PGxDefinitions
    public var phenotyper: Phenotyper
    public var guidelines: GuidelineLibrary
    public var exemptions: GeneExemptions
    public var messages: ReportMessages
    /// `pgx <version>`: cited with every result.
    public var citation: String { "pgx \(definitions.packVersion)" }

    public init(pack: KnowledgePack) throws(KnowledgeError) {
        try self.init(pack: pack, definitions: PGxDefinitions(pack: pack))
    }

    public init(pack: KnowledgePack, definitions: PGxDefinitions) throws(KnowledgeError) {
        self.definitions = definitions
        phenotyper = try Phenotyper(pack: pack)
        guidelines = try GuidelineLibrary(pack: pack)
        exemptions = try GeneExemptions(pack: pack)
        messages = try ReportMessages(pack: pack)
    }

    public init(
        definitions: PGxDefinitions, phenotyper: Phenotyper, guidelines: GuidelineLibrary, exemptions: GeneExemptions,
        messages: ReportMessages
    ) {
        self.definitions = definitions
        self.phenotyper = phenotyper
        self.guidelines = guidelines
        self.exemptions = exemptions
        self.messages = messages
    }

    public static func bundled() throws(KnowledgeError) -> PGxKnowledge { try PGxKnowledge(pack: KnowledgePack.bundled("pgx")) }

    /// Loads the parts a run needs after reading the genome (phenotypes, guidelines) on other cores while the caller
    /// reads it: knowledge loading is most of a single genome's run time.
    public static func loading(
        _ pack: KnowledgePack, definitions: PGxDefinitions
    ) -> Task<PGxKnowledge, any Error> {
        Task {
            async let phenotyper = Phenotyper(pack: pack)
            async let guidelines = GuidelineLibrary(pack: pack)
            let exemptions = try GeneExemptions(pack: pack)
            let messages = try ReportMessages(pack: pack)
            return PGxKnowledge(
                definitions: definitions, phenotyper: try await phenotyper, guidelines: try await guidelines, exemptions: exemptions,
                messages: messages)
        }
    }
}

/// One sample's pharmacogenomic result: per gene the call, phenotype and lookup keys; per drug the
/// guideline recommendations that apply. Field names are the JSON contract of `tailor pgx --json`.
public struct PGxSampleReport: Sendable, Hashable, Codable {
    public var sample: String
    /// The knowledge version every call and recommendation comes from.
    public var knowledge: String
    public var genes: [GeneResult]
    public var drugs: [DrugResult]

    public struct GeneResult: Sendable, Hashable, Codable {
        public var gene: String
        /// Whether the gene has a diplotype call (from the VCF's matcher or an outside call). SLCO1B1's rs4149056
        /// fallback is not a call but still has lookup keys.
        public var called: Bool
        /// Top-scoring matcher diplotypes (`*1/*2`); empty when not called from the VCF.
        public var diplotypes: [String]
        /// The calls as PharmCAT prints them (equal to `diplotypes` except for variant-list genes and outside calls).
        public var printCalls: [String]
        /// The diplotypes guidelines were looked up with.
        public var recommendationDiplotypes: [String]
        /// The phenotype shared by every top diplotype; `nil` when not called, unmapped, or when ties disagree.
        public var phenotype: String?
        public var activityScore: String?
        /// Keys the guidelines were looked up by (phenotype, activity score or allele status).
        public var lookupKeys: [String]
        public var phenotypeSource: String?
        public var score: Int?
        public var phased: Bool
        public var outsideCall: Bool
        public var missingPositions: [String]
        public var warnings: [String]
        /// PharmCAT's report messages that apply to this call, each naming the drugs it concerns.
        public var messages: [Message] = []

        enum CodingKeys: String, CodingKey {
            case gene, called, diplotypes, phenotype, score, phased, warnings, messages
            case printCalls = "print_calls", recommendationDiplotypes = "recommendation_diplotypes", activityScore = "activity_score"
            case lookupKeys = "lookup_keys", phenotypeSource = "phenotype_source", outsideCall = "outside_call"
            case missingPositions = "missing_positions"
        }

        /// Every field is written, `null` when absent, so readers see one stable shape.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(gene, forKey: .gene)
            try c.encode(called, forKey: .called)
            try c.encode(diplotypes, forKey: .diplotypes)
            try c.encode(printCalls, forKey: .printCalls)
            try c.encode(recommendationDiplotypes, forKey: .recommendationDiplotypes)
            try c.encode(phenotype, forKey: .phenotype)
            try c.encode(activityScore, forKey: .activityScore)
            try c.encode(lookupKeys, forKey: .lookupKeys)
            try c.encode(phenotypeSource, forKey: .phenotypeSource)
            try c.encode(score, forKey: .score)
            try c.encode(phased, forKey: .phased)
            try c.encode(outsideCall, forKey: .outsideCall)
            try c.encode(missingPositions, forKey: .missingPositions)
            try c.encode(warnings, forKey: .warnings)
            try c.encode(messages, forKey: .messages)
        }
    }

    /// A report message as PharmCAT's curators wrote it, with the rule it comes from.
    public struct Message: Sendable, Hashable, Codable {
        public var rule: String
        public var kind: String
        public var text: String
        /// The drugs it concerns (empty: the gene in general).
        public var drugs: [String]

        init(_ rule: ReportMessages.Rule) {
            self.rule = rule.name
            kind = rule.kind
            text = rule.text
            drugs = rule.drugs
        }
    }

    public struct DrugResult: Sendable, Hashable, Codable {
        public var drug: String
        /// `CPIC` or `DPWG`.
        public var source: String
        public var guideline: GuidelineRef
        public var recommendations: [RecommendationResult]
        /// PharmCAT's notes about the drug whatever the genotype (gene-specific ones are in the genes' `messages`).
        public var notes: [Message] = []
    }

    public struct GuidelineRef: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var url: String
        public var version: String
        /// The pack file, so the text can be traced to its source.
        public var file: String
        public var citations: [GuidelineLibrary.Citation]
    }

    public struct RecommendationResult: Sendable, Hashable, Codable {
        public var id: String
        public var population: String
        public var classification: String
        /// Gene → the key that matched.
        public var lookupKey: [String: String]
        /// The recommendation as authored, tags removed.
        public var text: String
        /// The recommendation as authored (HTML).
        public var html: String
        public var implications: [String]
        public var dosingInformation: Bool
        public var alternateDrugAvailable: Bool
        public var otherPrescribingGuidance: Bool

        enum CodingKeys: String, CodingKey {
            case id, population, classification, text, html, implications
            case lookupKey = "lookup_key", dosingInformation = "dosing_information", alternateDrugAvailable = "alternate_drug_available"
            case otherPrescribingGuidance = "other_prescribing_guidance"
        }
    }
}

/// VCF calls (and outside calls) → per-gene results → guideline recommendations. Pure: no I/O.
public struct PGxAnalyser: Sendable {
    public let knowledge: PGxKnowledge
    /// The callers that need per-gene preparation, made once rather than per sample.
    let lowestFunction: [String: LowestFunctionCaller]
    let matchers: [String: NamedAlleleMatcher]

    public init(knowledge: PGxKnowledge) {
        self.knowledge = knowledge
        var callers: [String: LowestFunctionCaller] = [:]
        for gene in LowestFunctionCaller.genes {
            guard let definition = knowledge.definitions.gene(gene) else { continue }
            callers[gene] = LowestFunctionCaller(
                definition: definition, exemptions: knowledge.exemptions[gene],
                functions: knowledge.phenotyper.tables[gene]?.alleleFunctions ?? [:])
        }
        lowestFunction = callers
        matchers = Dictionary(
            uniqueKeysWithValues: knowledge.definitions.genes.map {
                ($0.gene, NamedAlleleMatcher(definition: $0, exemptions: knowledge.exemptions[$0.gene]))
            })
    }

    /// Genes whose guidelines are keyed on an activity score.
    static let activityGenes: Set<String> = ["CYP2C9", "CYP2D6", "DPYD"]

    /// Genes that are only ever outside calls (no definition table in the pack).
    public static let outsideOnlyGenes = ["HLA-A", "HLA-B", "MT-RNR1"]

    /// The report for one sample.
    public func analyse(_ sample: SampleSiteCalls, outsideCalls: [OutsideCall] = []) -> PGxSampleReport {
        analyse(sample, outsideCalls: outsideCalls, gene: vcfResult, drugs: drugs(for:))
    }

    /// The analysis, with the per-gene and per-drug steps given (``PGxCohortSession`` remembers them).
    func analyse(
        _ sample: SampleSiteCalls, outsideCalls: [OutsideCall],
        gene vcfResult: (GeneDefinition, SampleSiteCalls) -> PGxSampleReport.GeneResult,
        drugs: ([PGxSampleReport.GeneResult]) -> [PGxSampleReport.DrugResult]
    ) -> PGxSampleReport {
        // Several lines for one gene are several possible diplotypes (an ambiguous outside call), kept in file order.
        var outside: [String: [OutsideCall]] = [:]
        for call in outsideCalls { outside[call.gene, default: []].append(call) }
        var genes: [PGxSampleReport.GeneResult] = []
        for definition in knowledge.definitions.genes {
            if let calls = outside[definition.gene] {
                var result = outsideResult(calls)
                let vcf = vcfResult(definition, sample)
                if vcf.called {
                    result.warnings.insert(
                        "the VCF alone would give \(vcf.printCalls.joined(separator: " or ")); the outside call (\(calls.map(\.source).joined(separator: ", "))) is used instead",
                        at: 0)
                }
                genes.append(result)
            } else {
                genes.append(vcfResult(definition, sample))
            }
        }
        for gene in Self.outsideOnlyGenes {
            if let calls = outside[gene] { genes.append(outsideResult(calls)) }
        }
        let known = Set(genes.map(\.gene))
        for (gene, calls) in outside.sorted(by: { $0.key < $1.key }) where !known.contains(gene) {
            var result = outsideResult(calls)
            result.warnings.append("\(gene) is not a gene the pack's guidelines use; it is reported but looks up no recommendation")
            genes.append(result)
        }
        return PGxSampleReport(sample: sample.sample, knowledge: knowledge.citation, genes: genes, drugs: drugs(genes))
    }

    /// Genes whose calls are printed as CPIC writes them: the reference allele as "Reference", and one variant
    /// allele with the reference as "X (heterozygous)".
    static let cpicStyleGenes: Set<String> = ["CACNA1S", "CFTR", "DPYD", "RYR1"]

    func cpicStyle(_ gene: String, _ alleles: [String]) -> String {
        let reference = knowledge.definitions.gene(gene)?.alleles.first?.name
        let names = alleles.map { $0 == reference ? "Reference" : $0 }
        if names.count == 2, names[0] == "Reference", names[1] != "Reference" { return "\(names[1]) (heterozygous)" }
        if names.count == 2, names[1] == "Reference", names[0] != "Reference" { return "\(names[0]) (heterozygous)" }
        return names.joined(separator: "/")
    }

    /// A gene called from the VCF by the named-allele matcher (or, for DPYD and RYR1, the lowest-function rule),
    /// with its phenotype.
    func vcfResult(_ definition: GeneDefinition, _ sample: SampleSiteCalls) -> PGxSampleReport.GeneResult {
        if let reason = sample.notCallable[definition.gene] {
            return PGxSampleReport.GeneResult(
                gene: definition.gene, called: false, diplotypes: [], printCalls: [], recommendationDiplotypes: [], phenotype: nil,
                activityScore: nil, lookupKeys: [], phenotypeSource: nil, score: nil, phased: false, outsideCall: false,
                missingPositions: [], warnings: [reason])
        }
        var result = LowestFunctionCaller.genes.contains(definition.gene) ? lowestFunctionResult(definition, sample) : matcherResult(definition, sample)
        if result.called || !result.lookupKeys.isEmpty { result.messages = messages(definition, sample, result) }
        if let assumed = sample.assumedReference[definition.gene] {
            result.warnings.insert(
                "ASSUMED REFERENCE: \(assumed) of \(definition.positions.count) positions were absent from the VCF and read as homozygous reference (--assume-reference); a variant there would be missed",
                at: 0)
        }
        return result
    }

    /// PharmCAT's messages about this call (see ``ReportMessages/forGene(_:labels:alleles:phased:missing:heterozygous:present:)``).
    func messages(
        _ definition: GeneDefinition, _ sample: SampleSiteCalls, _ result: PGxSampleReport.GeneResult
    ) -> [PGxSampleReport.Message] {
        guard let rules = knowledge.messages.byGene[definition.gene] else { return [] }
        // Only the positions the rules name are looked at (most rules name none).
        var present = Set<String>(), heterozygous = Set<String>(), missing = Set<String>()
        let named = Set(rules.flatMap { $0.variants + $0.variantsMissing })
        if !named.isEmpty {
            let calls = sample.calls[definition.gene] ?? GeneSiteCalls()
            for (index, position) in definition.positions.enumerated() {
                guard let rsid = position.rsid, named.contains(rsid) else { continue }
                guard let call = calls[index], !call.alleles.contains(where: { $0 == nil }) else {
                    missing.insert(rsid)
                    continue
                }
                present.insert(rsid)
                if Set(call.alleles).count > 1 { heterozygous.insert(rsid) }
            }
        }
        let alleles = Set(result.recommendationDiplotypes.flatMap { $0.split(separator: "/").map(String.init) })
        return knowledge.messages.forGene(
            definition.gene, labels: result.diplotypes, alleles: alleles, phased: result.phased, missing: missing, heterozygous: heterozygous,
            present: present
        ).map(PGxSampleReport.Message.init)
    }

    func matcherResult(_ definition: GeneDefinition, _ sample: SampleSiteCalls) -> PGxSampleReport.GeneResult {
        let call = (matchers[definition.gene] ?? NamedAlleleMatcher(definition: definition, exemptions: knowledge.exemptions[definition.gene]))
            .call(sample)
        var warnings = call.warnings
        let labels = call.diplotypes.map(\.description)
        let phenotypes = call.diplotypes.map { d in
            // PharmVar sub-alleles (SLCO1B1 *45.001) are phenotyped as their allele (*45).
            knowledge.phenotyper.phenotype(
                gene: definition.gene, alleles: d.alleles.map { knowledge.definitions.parentAllele[definition.gene]?[$0] ?? $0 },
                packVersion: knowledge.definitions.packVersion)
        }
        if !call.isCalled, definition.gene == "SLCO1B1", let fallback = slco1b1Fallback(sample, definition, call) { return fallback }
        var phenotype: PhenotypeCall?
        if let first = phenotypes.first, let found = first {
            if phenotypes.allSatisfy({ $0?.phenotype == found.phenotype && $0?.activityScore == found.activityScore }) {
                phenotype = found
            } else {
                warnings.append("the equally good diplotypes have different phenotypes; no single phenotype is given")
            }
        } else if call.isCalled, knowledge.phenotyper.tables[definition.gene]?.diplotypes.isEmpty == false {
            warnings.append("no phenotype mapping for \(labels.joined(separator: " or "))")
        }
        if phenotype != nil, let note = knowledge.phenotyper.notes[definition.gene] { warnings.append(note) }
        let keys = Self.unique(phenotypes.compactMap { $0?.lookupKey })
        // Reports and lookups name PharmVar sub-alleles by their allele (SLCO1B1 *45.001 → *45), as PharmCAT does.
        let parents = knowledge.definitions.parentAllele[definition.gene] ?? [:]
        let named = call.diplotypes.map { $0.alleles.map { parents[$0] ?? $0 } }
        let printed = Self.cpicStyleGenes.contains(definition.gene) ? named.map { cpicStyle(definition.gene, $0) } : named.map { $0.joined(separator: "/") }
        return PGxSampleReport.GeneResult(
            gene: definition.gene, called: call.isCalled, diplotypes: labels, printCalls: printed,
            recommendationDiplotypes: Self.unique(named.map { $0.joined(separator: "/") }), phenotype: phenotype?.phenotype,
            activityScore: phenotype?.activityScore, lookupKeys: keys, phenotypeSource: phenotype?.source,
            score: call.diplotypes.first?.score, phased: call.phased, outsideCall: false,
            missingPositions: Self.describe(call.missingPositions, definition), warnings: warnings)
    }

    /// SLCO1B1 without a star-allele call falls back to its key variant, rs4149056 (c.521T>C, the *5 marker), as
    /// PharmCAT does: the genotype is printed, and looked up as *1/*1, *1/*5 or *5/*5.
    func slco1b1Fallback(_ sample: SampleSiteCalls, _ definition: GeneDefinition, _ call: NamedAlleleMatcher.GeneCall) -> PGxSampleReport.GeneResult? {
        guard let index = definition.positions.firstIndex(where: { $0.rsid == "rs4149056" }),
            let site = sample.calls[definition.gene]?[index], site.alleles.count == 2, let a = site.alleles[0], let b = site.alleles[1]
        else { return nil }
        let ref = definition.positions[index].ref
        let alleles = [a, b].map { $0 == ref ? "*1" : "*5" }.sorted(by: AlleleName.precedes)
        guard let phenotype = knowledge.phenotyper.phenotype(gene: "SLCO1B1", alleles: alleles, packVersion: knowledge.definitions.packVersion)
        else { return nil }
        let label = alleles.joined(separator: "/")
        return PGxSampleReport.GeneResult(
            gene: "SLCO1B1", called: false, diplotypes: [], printCalls: ["rs4149056 \(a)/rs4149056 \(b)"],
            recommendationDiplotypes: [label], phenotype: phenotype.phenotype, activityScore: phenotype.activityScore,
            lookupKeys: [phenotype.lookupKey], phenotypeSource: phenotype.source, score: nil, phased: call.phased, outsideCall: false,
            missingPositions: Self.describe(call.missingPositions, definition),
            warnings: call.warnings + ["no star-allele call: the phenotype is from rs4149056 alone (\(label)), as PharmCAT does"])
    }

    func lowestFunctionResult(_ definition: GeneDefinition, _ sample: SampleSiteCalls) -> PGxSampleReport.GeneResult {
        let call = lowestFunction[definition.gene]!.call(sample)
        var warnings = call.warnings
        var phenotype: PhenotypeCall?
        if call.isCalled {
            phenotype = knowledge.phenotyper.phenotype(gene: definition.gene, alleles: call.recommendation, packVersion: knowledge.definitions.packVersion)
            if phenotype == nil {
                warnings.append("no phenotype mapping for \(call.recommendation.joined(separator: "/")) in the pack's \(definition.gene) table")
            } else if let note = knowledge.phenotyper.notes[definition.gene] {
                warnings.append(note)
            }
        }
        let recommendation = call.recommendation.joined(separator: "/")
        return PGxSampleReport.GeneResult(
            gene: definition.gene, called: call.isCalled, diplotypes: call.labels, printCalls: call.printCalls,
            recommendationDiplotypes: call.isCalled ? [recommendation] : [], phenotype: phenotype?.phenotype, activityScore: phenotype?.activityScore,
            lookupKeys: phenotype.map { [$0.lookupKey] } ?? [], phenotypeSource: phenotype?.source, score: nil, phased: call.phased,
            outsideCall: false, missingPositions: Self.describe(call.missingPositions, definition), warnings: warnings)
    }

    static func describe(_ positions: [GeneDefinition.DefinitionPosition], _ definition: GeneDefinition) -> [String] {
        positions.map { "\(definition.chromosome):\($0.position)" + ($0.rsid.map { " \($0)" } ?? "") }
    }

    /// A gene given as an outside call: its phenotype from the pack's table when a diplotype is given and the
    /// table knows it, the caller's phenotype or activity score otherwise; HLA alleles as carrier status.
    func outsideResult(_ calls: [OutsideCall]) -> PGxSampleReport.GeneResult {
        var results = calls.map(outsideResult)
        guard results.count > 1 else { return results[0] }
        var merged = results.removeFirst()
        for r in results {
            merged.printCalls += r.printCalls
            merged.recommendationDiplotypes += r.recommendationDiplotypes
            merged.lookupKeys = Self.unique(merged.lookupKeys + r.lookupKeys)
            merged.warnings += r.warnings
            if merged.phenotype != r.phenotype || merged.activityScore != r.activityScore {
                merged.phenotype = nil
                merged.activityScore = nil
            }
        }
        merged.warnings.append("ambiguous: the outside call gives \(calls.count) possible diplotypes")
        return merged
    }

    func outsideResult(_ call: OutsideCall) -> PGxSampleReport.GeneResult {
        var warnings: [String] = []
        var phenotype = call.phenotype.map(OutsideCall.normalisePhenotype)
        var activity = call.activityScore
        var keys: [String] = []
        var source: String? = "outside call \(call.source)"
        if call.gene.hasPrefix("HLA-") {
            keys = hlaKeys(call)
            // HLA has no phenotype table: the carrier statuses the guidelines ask about are the phenotype.
            if phenotype == nil, !keys.isEmpty { phenotype = keys.joined(separator: "; ") }
        } else if let alleles = call.alleles, let mapped = outsidePhenotype(call.gene, alleles) {
            if let given = phenotype, given.lowercased() != mapped.phenotype.lowercased() {
                warnings.append("the outside call's phenotype '\(given)' differs from the pack's '\(mapped.phenotype)' for \(call.diplotype ?? ""); the pack's is used")
            }
            if let given = call.activityScore, let mappedScore = mapped.activityScore, Double(given) != Double(mappedScore) {
                warnings.append("the outside call's activity score \(given) differs from the pack's \(mappedScore); the pack's is used")
            }
            phenotype = mapped.phenotype
            activity = mapped.activityScore
            keys = [mapped.lookupKey]
            source = mapped.source
        } else if let alleles = call.alleles, Self.activityGenes.contains(call.gene), call.activityScore == nil, call.phenotype == nil {
            // An allele the table does not know: no activity can be given ("n/a", as CPIC keys it).
            warnings.append("\(call.gene) \(alleles.joined(separator: "/")) has an allele without a known activity value: activity score n/a")
            phenotype = "Indeterminate"
            keys = ["n/a"]
        } else if let score = call.activityScore {
            let key = Self.activityKey(score)
            keys = [key]
            if phenotype == nil { phenotype = knowledge.phenotyper.phenotype(gene: call.gene, lookupKey: key) }
        } else if let given = phenotype {
            let known = knowledge.phenotyper.lookupKeys(gene: call.gene, phenotype: given)
            keys = known.isEmpty ? [given] : known
        } else if let diplotype = call.diplotype {
            warnings.append("no phenotype mapping for \(call.gene) \(diplotype) in the pack; give a phenotype or activity score")
        }
        if phenotype != nil, source?.hasPrefix("pgx") == true, let note = knowledge.phenotyper.notes[call.gene] { warnings.append(note) }
        var printed = call.diplotype ?? phenotype ?? activity.map { "activity score \($0)" } ?? ""
        if call.diplotype == nil, let phenotype, let activity { printed = "\(phenotype) (\(activity))" }
        if let alleles = call.alleles, Self.cpicStyleGenes.contains(call.gene) { printed = cpicStyle(call.gene, alleles) }
        return PGxSampleReport.GeneResult(
            gene: call.gene, called: true, diplotypes: [], printCalls: [printed], recommendationDiplotypes: call.diplotype.map { [$0] } ?? [],
            phenotype: phenotype, activityScore: activity, lookupKeys: keys, phenotypeSource: source, score: nil, phased: false,
            outsideCall: true, missingPositions: [], warnings: warnings)
    }

    /// The pack's phenotype for an outside diplotype; copy numbers of three or more are looked up as the tables
    /// group them (`*1x3` → `*1x≥3`).
    func outsidePhenotype(_ gene: String, _ alleles: [String]) -> PhenotypeCall? {
        let version = knowledge.definitions.packVersion
        if let found = knowledge.phenotyper.phenotype(gene: gene, alleles: alleles, packVersion: version) { return found }
        let grouped = alleles.map { OutsideCall.copyNumberForm($0) ?? $0 }
        return grouped == alleles ? nil : knowledge.phenotyper.phenotype(gene: gene, alleles: grouped, packVersion: version)
    }

    /// HLA lookup keys: for every allele the guidelines ask about (`*57:01 positive` …), positive when either
    /// allele is it and negative otherwise; a phenotype written as such a status is taken as given.
    func hlaKeys(_ call: OutsideCall) -> [String] {
        var keys: [String] = []
        if let alleles = call.alleles {
            for allele in knowledge.guidelines.statusAlleles(gene: call.gene) {
                keys.append("\(allele) " + (alleles.contains(allele) ? "positive" : "negative"))
            }
        }
        if let phenotype = call.phenotype {
            for part in phenotype.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty && !keys.contains(part) {
                keys.append(part)
            }
        }
        return keys
    }

    /// An activity score as the guidelines write it (`1` → `1.0`).
    static func activityKey(_ score: String) -> String {
        if score.hasPrefix("≥") { return score }
        guard let value = Double(score) else { return score }
        return value == value.rounded() ? String(format1: value) : score
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// The recommendations that apply, grouped per drug and guideline source.
    func drugs(for genes: [PGxSampleReport.GeneResult]) -> [PGxSampleReport.DrugResult] {
        let lookups = Self.lookups(genes)
        return drugResults(knowledge.guidelines.recommendations(for: lookups)).sorted(by: Self.drugOrder)
    }

    /// Report order: by drug, then source, then guideline name.
    static func drugOrder(_ a: PGxSampleReport.DrugResult, _ b: PGxSampleReport.DrugResult) -> Bool {
        (a.drug, a.source, a.guideline.name) < (b.drug, b.source, b.guideline.name)
    }

    /// Matched rows grouped into one entry per drug and guideline, rows in guideline order.
    func drugResults(_ matches: [MatchedRecommendation]) -> [PGxSampleReport.DrugResult] {
        Self.drugResults(matches).map { drug in
            var drug = drug
            drug.notes = knowledge.messages.forDrug(drug.drug, source: drug.source).map(PGxSampleReport.Message.init)
            return drug
        }
    }

    static func drugResults(_ matches: [MatchedRecommendation]) -> [PGxSampleReport.DrugResult] {
        var order: [String] = []
        var byDrug: [String: PGxSampleReport.DrugResult] = [:]
        for match in matches {
            // One entry per drug and guideline, so each keeps its own citation (DPWG warfarin has a CYP2C9 and a VKORC1 one).
            let id = match.guideline.id + "\u{0}" + match.drug
            let r = match.recommendation
            let result = PGxSampleReport.RecommendationResult(
                id: r.id, population: r.population, classification: r.classification, lookupKey: match.matchedKeys,
                text: r.text, html: r.html, implications: r.implications, dosingInformation: r.dosingInformation,
                alternateDrugAvailable: r.alternateDrugAvailable, otherPrescribingGuidance: r.otherPrescribingGuidance)
            if byDrug[id] == nil {
                order.append(id)
                let g = match.guideline
                byDrug[id] = PGxSampleReport.DrugResult(
                    drug: match.drug, source: g.source,
                    guideline: .init(id: g.id, name: g.name, url: g.url, version: g.version, file: g.file, citations: g.citations),
                    recommendations: [])
            }
            byDrug[id]?.recommendations.append(result)
        }
        return order.compactMap { byDrug[$0] }
    }

    /// What the recommender looks genes up by.
    static func lookups(_ genes: [PGxSampleReport.GeneResult]) -> [String: GeneLookup] {
        var lookups: [String: GeneLookup] = [:]
        // Every gene with a lookup key: matcher calls, outside calls, and SLCO1B1's rs4149056 fallback.
        for gene in genes where !gene.lookupKeys.isEmpty {
            let diplotypes = gene.recommendationDiplotypes.map { GeneLookup.diplotypeKey($0.split(separator: "/").map(String.init)) }
            // The guidelines key the same result in several forms: CPIC by lookup key (a score for activity genes),
            // DPWG by phenotype name, or for DPYD as "score (phenotype)", with "score (Phenotyping)" rows as DPWG's fallback.
            var keys = Set(gene.lookupKeys)
            var fallback = Set<String>()
            if let phenotype = gene.phenotype {
                keys.insert(phenotype)
                if let score = gene.activityScore {
                    keys.insert("\(score) (\(phenotype))")
                    fallback.insert("\(score) (Phenotyping)")
                }
            }
            lookups[gene.gene] = GeneLookup(gene: gene.gene, keys: keys, diplotypes: Set(diplotypes), fallbackKeys: fallback)
        }
        return lookups
    }
}

extension GuidelineLibrary {
    /// The alleles whose carrier status a gene's guidelines are keyed on (HLA-B: `*15:02`, `*57:01`, `*58:01` …).
    public func statusAlleles(gene: String) -> [String] {
        var alleles = Set<String>()
        for guideline in guidelines where guideline.genes.contains(gene) {
            for row in guideline.recommendations {
                guard let key = row.keys[gene], key.hasPrefix("*") else { continue }
                for suffix in [" positive", " negative"] where key.hasSuffix(suffix) { alleles.insert(String(key.dropLast(suffix.count))) }
            }
        }
        return alleles.sorted()
    }
}

extension Phenotyper {
    /// The phenotype that a lookup key (an activity score) stands for in a gene's table.
    public func phenotype(gene: String, lookupKey: String) -> String? {
        tables[gene]?.diplotypes.values.first { $0.lookupKey == lookupKey }?.phenotype
    }

    /// The lookup keys of a phenotype given by name: the key itself for most genes (sometimes a lower-case form),
    /// every activity score with that phenotype for activity-score genes.
    public func lookupKeys(gene: String, phenotype: String) -> [String] {
        let keys = tables[gene]?.diplotypes.values.filter { $0.phenotype.lowercased() == phenotype.lowercased() }.map(\.lookupKey) ?? []
        return Set(keys).sorted()
    }
}

extension String {
    fileprivate init(format1 value: Double) {
        let whole = Int(value)
        self = "\(whole).0"
    }

}
