// swift-tools-version: 6.1
// Fuzz targets for Tailor's parsers (libFuzzer + AddressSanitizer). A separate package so that the
// main package never links libFuzzer. Build and run with ./run.sh; see README.md.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "TailorFuzz",
    dependencies: [
        .package(name: "Tailor", path: "..")
    ],
    targets: [
        // The work each fuzz target does for one input, shared with nothing else: the regression test in
        // Tests/VCFTests/FuzzRegressionTests.swift repeats the VCF calls so that `swift test` replays the corpus.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "VCF", package: "Tailor"), .product(name: "BGZF", package: "Tailor")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "FuzzVCFHeader", dependencies: ["FuzzSupport"], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzVCFRecord", dependencies: ["FuzzSupport"], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzBGZFBlock", dependencies: ["FuzzSupport"], swiftSettings: swiftSettings),
    ]
)
