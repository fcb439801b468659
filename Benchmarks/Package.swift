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
    ]
)
