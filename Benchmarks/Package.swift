// swift-tools-version: 6.1
// Benchmarks live in their own package so that the normal build and `swift test` never pay for them.
// Run: swift run -c release --package-path Benchmarks vcf-bench <file.vcf.gz>
//      swift run -c release --package-path Benchmarks risk-bench [patients] [repeats]
import PackageDescription

let package = Package(
    name: "TailorBenchmarks",
    dependencies: [.package(name: "Tailor", path: "..")],
    targets: [
        .executableTarget(
            name: "vcf-bench",
            dependencies: [.product(name: "GenomicFiles", package: "Tailor"), .product(name: "VCF", package: "Tailor")],
            path: "Sources/VCFBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "risk-bench",
            dependencies: [.product(name: "Risk", package: "Tailor")],
            path: "Sources/RiskBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Ranks every phenopacket of a folder by phenotype; scripts/eval_phenopackets.py summarises (issue #7).
        .executableTarget(
            name: "phenotype-eval",
            dependencies: [.product(name: "Phenotype", package: "Tailor"), .product(name: "Knowledge", package: "Tailor")],
            path: "Sources/PhenotypeEval",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Parses and maps every FHIR Bundle under the given paths and prints counts and timing (issue #5).
        .executableTarget(
            name: "fhir-import-check",
            dependencies: [.product(name: "Interop", package: "Tailor"), .product(name: "Records", package: "Tailor")],
            path: "Sources/FHIRImportCheck",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Monitoring metrics over a year of readings, and NDJSON parse + validate throughput (issue #9).
        .executableTarget(
            name: "monitoring-bench",
            dependencies: [.product(name: "Monitoring", package: "Tailor")],
            path: "Sources/MonitoringBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Plan generation for example patients, pack load, and rebuilding the careplan pack (issue #9).
        .executableTarget(
            name: "careplan-bench",
            dependencies: [.product(name: "CarePlan", package: "Tailor"), .product(name: "Knowledge", package: "Tailor")],
            path: "Sources/CarePlanBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Phenotype + genome ranking over the phenopackets with background exomes; scripts/eval_phenopackets_genome.py
        // builds the inputs and summarises (issue #7). Also rebuilds the acmg-sf pack (`build-pack`).
        .executableTarget(
            name: "germline-eval",
            dependencies: [
                .product(name: "Germline", package: "Tailor"), .product(name: "Phenotype", package: "Tailor"),
                .product(name: "Knowledge", package: "Tailor"),
            ],
            path: "Sources/GermlineEval",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Findings (a JSON array) → a FHIR Genomics Reporting Bundle; CI validates it with scripts/validate_genomics_reporting.py.
        .executableTarget(
            name: "genomics-report-export",
            dependencies: [.product(name: "GenomicsReporting", package: "Tailor"), .product(name: "Records", package: "Tailor")],
            path: "Sources/GenomicsReportingExport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
