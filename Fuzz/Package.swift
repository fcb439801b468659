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
        .executableTarget(name: "FuzzVCFHeader", dependencies: [.product(name: "FuzzTargets", package: "Tailor")], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzVCFRecord", dependencies: [.product(name: "FuzzTargets", package: "Tailor")], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzBGZFBlock", dependencies: [.product(name: "FuzzTargets", package: "Tailor")], swiftSettings: swiftSettings),
    ]
)
