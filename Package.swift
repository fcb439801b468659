// swift-tools-version: 6.1
// Tailor: an open-source precision-medicine platform.
// Layers (lower never imports higher): genomic files (BGZF, VCF, GenomicFiles) -> knowledge -> analysers
// -> interop -> store -> server -> executables. See README.md and docs in the repository.
import PackageDescription

/// One settings array for every target (Hummingbird's convention): Swift 6 mode, explicit
/// `any`, and imports that are internal unless a dependency's type leaks into our public API.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Tailor",
    products: [
        .executable(name: "tailor", targets: ["tailor"]),
        .library(name: "VCF", targets: ["VCF"]),
        .library(name: "BGZF", targets: ["BGZF"]),
        .library(name: "GenomicFiles", targets: ["GenomicFiles"]),
        .library(name: "Knowledge", targets: ["Knowledge"]),
        .library(name: "Risk", targets: ["Risk"]),
        .library(name: "Polygenic", targets: ["Polygenic"]),
        .library(name: "Phenotype", targets: ["Phenotype"]),
        .library(name: "Interop", targets: ["Interop"]),
        .library(name: "GenomicsReporting", targets: ["GenomicsReporting"]),
        .library(name: "Records", targets: ["Records"]),
        .library(name: "Monitoring", targets: ["Monitoring"]),
        .library(name: "CarePlan", targets: ["CarePlan"]),
        .library(name: "Germline", targets: ["Germline"]),
        // What each fuzz target does with one input; used by the libFuzzer package in Fuzz/ and by FuzzReplayTests.
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The server and its store (the set ARCHITECTURE.md names as resolving together).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already in the graph (hummingbird's test client); used only by `tailor oncology --oncokb` to call the user's OncoKB.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C libraries from Debian (libdeflate-dev, zlib1g-dev), through system-library targets.
        .systemLibrary(name: "CLibDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // BGZF and gzip codecs; the only module with raw-pointer code.
        .target(name: "BGZF", dependencies: ["CLibDeflate", "CZlib"], swiftSettings: swiftSettings),
        // Pure VCF model and parser: no I/O, no Foundation.
        .target(name: "VCF", swiftSettings: swiftSettings),
        // File-level reading: formats, header, parallel streaming, tabix/CSI region queries.
        .target(name: "GenomicFiles", dependencies: ["BGZF", "VCF"], swiftSettings: swiftSettings),
        // Versioned knowledge packs compiled from public sources (manifest, licences, digests) and their loader.
        .target(
            name: "Knowledge",
            dependencies: ["BGZF", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Packs")],
            swiftSettings: swiftSettings
        ),
        // Pharmacogenomics: allele definitions from the pgx pack, genotypes at their positions (the matcher follows).
        .target(name: "PGx", dependencies: ["VCF", "GenomicFiles", "Knowledge"], swiftSettings: swiftSettings),
        // Clinical risk equations (PCE, PREVENT, BCRAT/Gail, QRISK3, CKD-EPI): pure functions of validated inputs,
        // coefficients from the risk knowledge pack.
        .target(name: "Risk", dependencies: ["Knowledge"], swiftSettings: swiftSettings),
        // Polygenic scores: PGS Catalog scoring files matched to VCF records as pgsc_calc does, summed in one pass.
        .target(name: "Polygenic", dependencies: ["VCF", "GenomicFiles", "BGZF"], swiftSettings: swiftSettings),
        // Precision oncology: tumour alterations from annotated VCF/MAF/CNA/fusion files, evidence matching through the
        // OncoTree hierarchy, AMP/ASCO/CAP tiers (PCGR's rules), oncogenicity, TMB and MSI hints.
        .target(name: "Oncology", dependencies: ["Knowledge", "VCF", "GenomicFiles", "BGZF"], swiftSettings: swiftSettings),
        // Early breast cancer: the 21-gene recurrence score with TAILORx/RxPONDER rules, and PREDICT survival and
        // treatment benefit (published constants, cited in the code).
        .target(name: "EarlyBreast", swiftSettings: swiftSettings),
        // Rare-disease phenotype matching: the HPO ontology and annotations (hpo pack), information content, Resnik and
        // PhenoDigm-style similarity, excluded features, disease and gene ranking, Phenopacket v2 input.
        .target(name: "Phenotype", dependencies: ["Knowledge"], swiftSettings: swiftSettings),
        // Germline: annotated VCF evidence (VEP/SnpEff consequence, population frequency), the ClinVar VCF importer,
        // PED pedigrees and inheritance modes, the Exomiser-style combined ranking with a reason for every filtered
        // variant, and ACMG secondary findings (acmg-sf pack) gated by consent.
        .target(name: "Germline", dependencies: ["Phenotype", "Knowledge", "VCF", "GenomicFiles", "BGZF"], swiftSettings: swiftSettings),
        // Interoperability: FHIR R4 Bundle import (transaction/collection; Synthea and EHR exports) into a complete
        // import plan with reference resolution and idempotency keys; nothing partial.
        .target(name: "Interop", dependencies: ["Records"], swiftSettings: swiftSettings),
        // PGx findings as HL7 FHIR Genomics Reporting STU3 resources (genomic report, genotype and therapeutic-implication
        // Observations) in a collection Bundle with stable urn:uuid identities. Pure.
        .target(name: "GenomicsReporting", dependencies: ["Records"], swiftSettings: swiftSettings),
        // Home and device monitoring: readings in canonical units, validation with reasons, JSON/NDJSON/FHIR input,
        // and the protocol metrics (home BP averaging, CGM time in range, trends, adherence, alerts). Pure.
        .target(name: "Monitoring", swiftSettings: swiftSettings),
        // Personalised care plans: guideline rules as data (the careplan pack), ranked lifestyle items for the patient's
        // factors and preferences, drug-class choice that respects PGx, allergies and conditions, diabetes targets,
        // surveillance from hereditary findings, SMART goals and their lifecycle, FHIR CarePlan/Goal. Pure.
        .target(name: "CarePlan", dependencies: ["Knowledge"], swiftSettings: swiftSettings),
        // The patient record's pure core: typed identifiers, roles, consent, the one access policy and the
        // audit chain's hashing. No database, network or clock.
        .target(name: "Records", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        // Persistence: one schema and migration list on SQLite (embedded) or PostgreSQL, the audit writer,
        // encrypted genome files and the analysis job queue.
        .target(
            name: "Store",
            dependencies: [
                "Records", "BGZF", "Monitoring", "Interop",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application: REST API, authentication, analysis jobs, metrics, the demo.
        .target(
            name: "Server",
            dependencies: [
                "Records", "Store", "PGx", "Risk", "Polygenic", "Knowledge", "VCF", "GenomicFiles", "BGZF", "Monitoring", "CarePlan", "Interop", "GenomicsReporting", "Germline",
                "Phenotype",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // The command-line interface as a library so tests can drive it in process.
        .target(
            name: "TailorCLI",
            dependencies: [
                "GenomicFiles", "VCF", "Knowledge", "PGx", "Polygenic", "Risk", "Oncology", "EarlyBreast", "Phenotype", "Records", "Store", "Server",
                "Monitoring", "CarePlan", "Germline", "Interop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The fuzz targets' per-input work and property checks (no libFuzzer here: see Fuzz/).
        .target(name: "FuzzTargets", dependencies: ["VCF", "BGZF"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "tailor", dependencies: ["TailorCLI"],
            swiftSettings: swiftSettings),

        .testTarget(name: "BGZFTests", dependencies: ["BGZF"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "VCFTests", dependencies: ["VCF"], swiftSettings: swiftSettings),
        .testTarget(name: "KnowledgeTests", dependencies: ["Knowledge", "BGZF"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PGxTests", dependencies: ["PGx", "GenomicFiles", "Knowledge"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        // Replays the fuzz corpus and every input that once crashed a fuzz target (see Fuzz/README.md).
        .testTarget(name: "FuzzReplayTests", dependencies: ["FuzzTargets"], resources: [.copy("Corpus")], swiftSettings: swiftSettings),
        .testTarget(
            name: "GenomicFilesTests",
            dependencies: ["GenomicFiles", "VCF", "BGZF"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PolygenicTests", dependencies: ["Polygenic", "VCF", "GenomicFiles"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "OncologyTests", dependencies: ["Oncology", "Knowledge", "VCF", "GenomicFiles"], resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(name: "EarlyBreastTests", dependencies: ["EarlyBreast"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "PhenotypeTests", dependencies: ["Phenotype", "Knowledge"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "InteropTests", dependencies: ["Interop", "Records"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "RiskTests", dependencies: ["Risk", "Knowledge"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitoringTests", dependencies: ["Monitoring"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GenomicsReportingTests", dependencies: ["GenomicsReporting", "Records"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "CarePlanTests", dependencies: ["CarePlan", "Knowledge"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GermlineTests", dependencies: ["Germline", "Phenotype", "Knowledge", "VCF", "GenomicFiles", "BGZF"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RecordsTests", dependencies: ["Records"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "Records", "Monitoring", "Interop", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Store", "Records", "PGx", "Risk", "Polygenic", "BGZF", "Knowledge", "Monitoring", "Interop", "Phenotype",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TailorCLITests",
            // Depending on the executable makes SwiftPM build it before the tests, which run it.
            dependencies: [
                "TailorCLI", "GenomicFiles", "tailor", "Store", "Records", "Server", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log"),
                // A live stand-in for OncoKB's API, which `tailor oncology --oncokb` is tested against.
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ]
)
