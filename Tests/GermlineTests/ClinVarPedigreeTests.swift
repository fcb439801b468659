import Foundation
import Testing
@testable import Germline
import BGZF
import VCF

/// A small ClinVar-format fixture written for these tests following the columns NCBI documents for its VCF
/// (ID = Variation ID; INFO ALLELEID, CLNSIG, CLNREVSTAT, CLNSIGCONF, GENEINFO, CLNDN, MC). Positions, IDs and genes are
/// made up; they are not real ClinVar records.
enum ClinVarFixture {
    static let text = """
        ##fileformat=VCFv4.1
        ##fileDate=2099-01-07
        ##source=ClinVar
        ##reference=GRCh38
        ##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant">
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
        1\t1000\t900001\tA\tG\t.\t.\tALLELEID=1;CLNSIG=Pathogenic;CLNREVSTAT=reviewed_by_expert_panel;GENEINFO=GENEA:1;CLNDN=Toy_disease_one;MC=SO:0001583|missense_variant
        1\t2000\t900002\tC\tT\t.\t.\tALLELEID=2;CLNSIG=Likely_pathogenic;CLNREVSTAT=criteria_provided,_single_submitter;GENEINFO=GENEA:1
        1\t3000\t900003\tG\tA\t.\t.\tALLELEID=3;CLNSIG=Conflicting_classifications_of_pathogenicity;CLNREVSTAT=criteria_provided,_conflicting_classifications;CLNSIGCONF=Pathogenic(1)|Uncertain_significance(2);GENEINFO=GENEA:1
        2\t4000\t900004\tT\tC\t.\t.\tALLELEID=4;CLNSIG=Benign;CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts;GENEINFO=GENEB:2
        2\t5000\t900005\tT\tTA\t.\t.\tALLELEID=5;CLNSIG=Pathogenic/Likely_pathogenic|risk_factor;CLNREVSTAT=practice_guideline;GENEINFO=GENEB:2|GENEC:3;CLNDN=Toy_a|Toy_b;MC=SO:0001589|frameshift_variant
        2\t6000\t900006\tG\tC\t.\t.\tALLELEID=6;CLNREVSTAT=no_classification_provided
        MT\t7000\t900007\tA\tG\t.\t.\tALLELEID=7;CLNSIG=Uncertain_significance;CLNREVSTAT=no_assertion_criteria_provided

        """
}

@Suite struct ClinVarTests {
    @Test func readsRecordsAndRelease() throws {
        let db = try ClinVarDatabase.parse(ClinVarFixture.text, file: "fixture.vcf")
        #expect(db.release == "2099-01-07")
        #expect(db.reference == "GRCh38")
        #expect(db.records.count == 6)
        #expect(db.skippedWithoutClassification == 1)
        let r = try #require(db.records["2-5000-T-TA"])
        #expect(r.classification == .pathogenicLikelyPathogenic)
        #expect(r.stars == 4)
        #expect(r.genes == ["GENEB", "GENEC"])
        #expect(r.conditions == ["Toy a", "Toy b"])
        #expect(r.molecularConsequences == [Consequence("frameshift_variant")])
    }

    @Test(arguments: [
        ("1-1000-A-G", ClinVarClass.pathogenic, 3, true), ("1-2000-C-T", .likelyPathogenic, 1, true), ("1-3000-G-A", .conflicting, 1, false),
        ("2-4000-T-C", .benign, 2, false), ("MT-7000-A-G", .uncertain, 0, false),
    ])
    func classificationAndStars(key: String, cls: ClinVarClass, stars: Int, plp: Bool) throws {
        let db = try ClinVarDatabase.parse(ClinVarFixture.text)
        let r = try #require(db.records[key])
        #expect(r.classification == cls)
        #expect(r.stars == stars)
        #expect(r.classification.isPathogenicOrLikelyPathogenic == plp)
    }

    /// Patient chromosomes with `chr` and `chrM` match ClinVar's Ensembl-style names.
    @Test func matchesAcrossChromosomeStyles() throws {
        let db = try ClinVarDatabase.parse(ClinVarFixture.text)
        #expect(db.lookup(variant("chr1", 1000, gene: "GENEA", [.heterozygous])) != nil)
        #expect(db.lookup(variant("chrM", 7000, gene: "MT-X", [.hemizygous])) != nil)
        #expect(db.lookup(variant("chr1", 1000, gene: "GENEA", [.heterozygous], alt: "T")) == nil)
    }

    @Test(arguments: [
        ("1\t1000\t1\tA\tG\t.\t.", 7, "at least 8"),
        ("1\tX\t1\tA\tG\t.\t.\tCLNSIG=Benign", 7, "POS"),
        ("1\t10\t1\tAZ\tG\t.\t.\tCLNSIG=Benign", 7, "REF"),
        ("1\t10\t1\tA\tG<\t.\t.\tCLNSIG=Benign", 7, "ALT"),
    ])
    func malformedLineNamesFileAndLine(line: String, number: Int, mentions: String) throws {
        let lines = ClinVarFixture.text.split(separator: "\n", omittingEmptySubsequences: false)
        let text = (lines.prefix(6) + [Substring(line)] + lines.dropFirst(6)).joined(separator: "\n")
        let error = #expect(throws: GermlineError.self) { try ClinVarDatabase.parse(text, file: "bad.vcf") }
        guard case .malformed(let file, let l, let message)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(file == "bad.vcf")
        #expect(l == number)
        #expect(message.contains(mentions))
        #expect(error!.description.hasPrefix("bad.vcf:\(number):"))
    }

    @Test func loadsGzipFileAndNamesLineOnError() throws {
        let path = temporaryFile(ClinVarFixture.text + "1\t5\n")
        let gz = NSTemporaryDirectory() + "germline-test-" + UUID().uuidString + ".vcf.gz"
        FileManager.default.createFile(atPath: gz, contents: Data(Gzip.compress(Array(ClinVarFixture.text.utf8))))
        let db = try ClinVarDatabase.load(path: gz)
        #expect(db.records.count == 6 && db.release == "2099-01-07")
        #expect(throws: GermlineError.malformed(file: path, line: 14, message: "expected at least 8 tab-separated columns (CHROM POS ID REF ALT QUAL FILTER INFO), found 2")) {
            try ClinVarDatabase.load(path: path)
        }
    }
}

@Suite struct PedigreeTests {
    @Test func parsesTrio() throws {
        let ped = try Pedigree.parse("""
            # family individual father mother sex phenotype
            F1 kid dad mum 1 2
            F1 dad 0 0 1 1
            F1\tmum\t0\t0\t2\t1
            """)
        #expect(ped.members.count == 3)
        let kid = try #require(ped.member("kid"))
        #expect(kid.father == "dad" && kid.mother == "mum" && kid.sex == .male && kid.status == .affected)
        #expect(ped.member("mum")?.sex == .female)
        #expect(ped.member("dad")?.father == nil)
    }

    @Test(arguments: [
        ("F1 kid dad mum 1 2\nF1 dad 0 0 1", 2, "6 columns"),
        ("F1 kid dad mum 1 2\nF1 kid 0 0 1 1", 2, "twice"),
        ("F1 kid dad mum 1 2\n\nF1 dad 0 0 1 3.5", 3, "phenotype"),
        ("F1 kid kid mum 1 2", 1, "own parent"),
    ])
    func errorsNameTheLine(text: String, line: Int, mentions: String) {
        let error = #expect(throws: GermlineError.self) { try Pedigree.parse(text, file: "fam.ped") }
        guard case .malformed(let file, let l, let message)? = error else { Issue.record("wrong error"); return }
        #expect(file == "fam.ped" && l == line && message.contains(mentions))
    }

    @Test func probandMustBeInVCF() {
        #expect(throws: GermlineError.self) { try FamilyContext(samples: ["a"], pedigree: nil, probandID: "b") }
    }
}

/// ClinVar is matched by position, so a ClinVar file of the other assembly is refused, naming both files and builds.
@Suite struct ClinVarAssemblyTests {
    @Test(arguments: [
        ("GRCh37", GenomeBuild.grch38, true), ("GRCh38", .grch38, false), ("GRCh38", .grch37, true), ("GRCh38", .unknown, false),
        ("", .grch37, false),
    ])
    func aClinVarFileOfTheOtherAssemblyIsRefused(reference: String, vcfBuild: GenomeBuild, refused: Bool) throws {
        let clinVar = ClinVarDatabase(records: [], source: "clinvar.vcf.gz", reference: reference.isEmpty ? nil : reference)
        var callSet = GermlineCallSet(path: "patient.vcf.gz", samples: ["S1"], variants: [], annotationTool: nil, frequencyFields: [], recordsRead: 0)
        callSet.build = vcfBuild
        if refused {
            #expect {
                try clinVar.checkSameBuild(as: callSet)
            } throws: { error in
                "\(error)".contains("clinvar.vcf.gz is \(reference)") && "\(error)".contains("patient.vcf.gz is \(vcfBuild.rawValue)")
            }
        } else {
            try clinVar.checkSameBuild(as: callSet)
        }
    }
}
