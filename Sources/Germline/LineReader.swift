import BGZF
import Foundation

/// Reads a text file (plain, gzip or BGZF) line by line with 1-based line numbers, in bounded memory.
enum LineReader {
    static func forEachLine(path: String, _ body: (Substring, Int) throws -> Void) throws {
        let file: ReadableFile
        do {
            file = try ReadableFile(path: path)
        } catch {
            throw GermlineError.unreadable(file: path, message: "cannot be opened: \(error)")
        }
        var head: [UInt8] = []
        _ = try? file.read(upTo: 2, appendingTo: &head)
        let gzip = head.count == 2 && head[0] == 0x1f && head[1] == 0x8b
        let source: ReadableFile
        do { source = try file.reopened() } catch { throw GermlineError.unreadable(file: path, message: "\(error)") }
        var nextChunk: () throws -> [UInt8]?
        if gzip {
            let reader: GzipStreamReader
            do { reader = try GzipStreamReader(file: source) } catch { throw GermlineError.unreadable(file: path, message: "\(error)") }
            nextChunk = {
                do { return try reader.nextChunk() } catch { throw GermlineError.unreadable(file: path, message: "\(error)") }
            }
        } else {
            nextChunk = {
                var buffer: [UInt8] = []
                let n: Int
                do { n = try source.read(upTo: 4 << 20, appendingTo: &buffer) } catch {
                    throw GermlineError.unreadable(file: path, message: "\(error)")
                }
                return n == 0 ? nil : buffer
            }
        }
        var carry: [UInt8] = []
        var number = 0
        while let chunk = try nextChunk() {
            var start = 0
            for i in 0..<chunk.count where chunk[i] == UInt8(ascii: "\n") {
                number += 1
                if carry.isEmpty {
                    try emit(chunk[start..<i], number, body)
                } else {
                    carry.append(contentsOf: chunk[start..<i])
                    try emit(carry[...], number, body)
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            carry.append(contentsOf: chunk[start...])
        }
        if !carry.isEmpty {
            number += 1
            try emit(carry[...], number, body)
        }
    }

    /// Lines of an in-memory text (tests, small files).
    static func forEachLine(text: String, _ body: (Substring, Int) throws -> Void) rethrows {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty && number > 1 && line.endIndex == text.endIndex { break }
            try body(line.hasSuffix("\r") ? line.dropLast() : line, number)
        }
    }

    private static func emit(_ bytes: ArraySlice<UInt8>, _ number: Int, _ body: (Substring, Int) throws -> Void) throws {
        var s = String(decoding: bytes, as: UTF8.self)[...]
        if s.hasSuffix("\r") { s = s.dropLast() }
        try body(s, number)
    }
}
