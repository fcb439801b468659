import Foundation
import Testing

@testable import EarlyBreast

/// Test fixtures copied into the repository (see Fixtures/SOURCE.md for where each came from); tests never read
/// ../shared at run time.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        let base = try #require(Bundle.module.resourceURL, "test bundle has no resources")
        return base.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: url(name)), as: UTF8.self)
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }

    /// Tab-separated rows (header first), empty lines dropped.
    static func tsv(_ name: String) throws -> [[String]] {
        try text(name).split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}

/// Absolute tolerance for comparisons with values computed from the same equations (percentage points). The issue asks
/// for 0.01 pp; agreement is in fact at the 1e-9 level, so this is far tighter.
let percentTolerance = 1e-6

func close(_ a: Double, _ b: Double, _ tolerance: Double = percentTolerance) -> Bool { abs(a - b) <= tolerance }
