import BGZF
public import VCF

#if canImport(Glibc)
    import Glibc
#endif

/// What a scan saw besides the caller's own results.
public struct ScanSummary: Sendable {
    /// Data lines read (records plus skipped lines plus blank lines).
    public var dataLines = 0
    /// Records handed to the caller.
    public var records = 0
    /// Malformed lines skipped in lenient mode.
    public var skippedLines = 0
    /// The first problems met in lenient mode, each with its line number.
    public var problems: [VCFError] = []
    public var warnings: [String] = []
}

/// The result of one worker's batch.
struct BatchOutput<Partial: Sendable>: Sendable {
    /// Bytes before the first newline (the end of a line begun in an earlier batch).
    var head: [UInt8]
    /// Bytes after the last newline (the start of a line finished in a later batch).
    var tail: [UInt8]
    var sawNewline: Bool
    var partial: Partial
    /// Complete lines strictly between the first and last newline.
    var interiorLines: Int
    var records: Int
    var skipped: Int
    /// Problems with their line index counted from the first interior line (0-based).
    var problems: [(Int, VCFError)]
    var fatal: (any Error & Sendable)?
}

extension VCFFile {
    /// Streams every data line through `record`, inflating and parsing batches on `options.threads`
    /// worker tasks, and merges the per-batch results **in file order**.
    ///
    /// Memory stays flat: at most about `threads + 1` batches (≈ 4 MiB of text each) are alive at once.
    /// The records are streamed once per opened file; index queries (``query(_:index:_:)``) may come
    /// before or after and use their own file descriptor.
    /// In strict mode the first bad line (in file order) stops the scan with its line number; in
    /// lenient mode bad lines are skipped, counted and the first few reported in ``ScanSummary/problems``.
    ///
    /// - Parameters:
    ///   - initial: an empty partial result; each batch starts from a copy of it.
    ///   - record: called for each record of a batch, on a worker task.
    ///   - merge: folds a batch's partial result into the running result, in file order.
    public func scan<Partial: Sendable>(
        initial: Partial,
        record: @escaping @Sendable (inout Partial, VCFRecordView) throws(VCFError) -> Void,
        merge: (inout Partial, Partial) -> Void
    ) async throws -> (Partial, ScanSummary) {
        guard !streamed else {
            throw VCFError(.request, "this file's records have already been read once; open it again to re-read", path: path)
        }
        streamed = true
        var result = initial
        var summary = ScanSummary()
        var carry: [UInt8] = []
        var linesBefore = header.lineCount
        let sampleCount = header.samples.count
        let lenient = options.lenient
        let path = self.path
        let maxLine = options.maxLineLength

        // Folds one batch's output into the running result, in order.
        func absorb(_ out: BatchOutput<Partial>) throws {
            if !out.sawNewline {
                carry.append(contentsOf: out.head)
                if carry.count > maxLine {
                    throw VCFError(.record, "line is longer than \(maxLine) bytes", line: linesBefore + 1, path: path)
                }
                return
            }
            carry.append(contentsOf: out.head)
            let stitchedLine = linesBefore + 1
            try Self.processLine(
                carry, lineNumber: stitchedLine, sampleCount: sampleCount, lenient: lenient, path: path, into: &result,
                summary: &summary, record: record)
            carry = out.tail
            if let fatal = out.fatal {
                if var e = fatal as? VCFError {
                    // The worker numbered the line within its batch; place it in the file.
                    e.line = e.line.map { stitchedLine + 1 + $0 }
                    throw e.located(line: nil, path: path)
                }
                throw fatal
            }
            merge(&result, out.partial)
            summary.records += out.records
            summary.skippedLines += out.skipped
            summary.dataLines += out.interiorLines
            for (index, problem) in out.problems where summary.problems.count < Self.problemLimit {
                summary.problems.append(problem.located(line: stitchedLine + 1 + index, path: path))
            }
            linesBefore = stitchedLine + out.interiorLines
            if carry.count > maxLine {
                throw VCFError(.record, "line is longer than \(maxLine) bytes", line: linesBefore + 1, path: path)
            }
        }

        if options.threads <= 1 {
            let inflater = BGZFInflater(path: path)
            while let batch = try nextBatch() {
                try absorb(Self.work(batch, inflater: inflater, initial: initial, sampleCount: sampleCount, lenient: lenient, record: record))
            }
        } else {
            let window = options.threads + 1
            try await withThrowingTaskGroup(of: (Int, BatchOutput<Partial>).self) { group in
                var submitted = 0
                var nextToAbsorb = 0
                var finished: [Int: BatchOutput<Partial>] = [:]
                var exhausted = false
                while true {
                    while !exhausted && submitted - nextToAbsorb < window {
                        guard let batch = try nextBatch() else {
                            exhausted = true
                            break
                        }
                        let index = submitted
                        group.addTask {
                            let inflater = BGZFInflater(path: path)
                            return (
                                index,
                                Self.work(batch, inflater: inflater, initial: initial, sampleCount: sampleCount, lenient: lenient, record: record)
                            )
                        }
                        submitted += 1
                    }
                    if nextToAbsorb == submitted { break }
                    guard let (index, out) = try await group.next() else { break }
                    finished[index] = out
                    while let ready = finished.removeValue(forKey: nextToAbsorb) {
                        try absorb(ready)
                        nextToAbsorb += 1
                    }
                }
            }
        }
        if !carry.isEmpty {
            try Self.processLine(
                carry, lineNumber: linesBefore + 1, sampleCount: sampleCount, lenient: lenient, path: path, into: &result, summary: &summary,
                record: record)
        }
        summary.warnings = header.warnings + warnings
        return (result, summary)
    }

    static let problemLimit = 20

    /// Parses one line that was stitched across batches (or the last line without a newline).
    private static func processLine<Partial>(
        _ line: [UInt8], lineNumber: Int, sampleCount: Int, lenient: Bool, path: String, into result: inout Partial,
        summary: inout ScanSummary, record: (inout Partial, VCFRecordView) throws(VCFError) -> Void
    ) throws {
        summary.dataLines += 1
        let outcome: VCFError? = line.withUnsafeBytes { raw in
            do throws(VCFError) {
                let kept = try handle(raw, sampleCount: sampleCount, into: &result, record: record)
                if kept { summary.records += 1 }
                return nil
            } catch {
                return error
            }
        }
        guard let outcome else { return }
        let located = outcome.located(line: lineNumber, path: path)
        guard lenient else { throw located }
        summary.skippedLines += 1
        if summary.problems.count < problemLimit { summary.problems.append(located) }
    }

    /// Parses one line and hands it to `record`; returns whether it was a record (false for a blank line).
    @inline(__always)
    private static func handle<Partial>(
        _ raw: UnsafeRawBufferPointer, sampleCount: Int, into result: inout Partial,
        record: (inout Partial, VCFRecordView) throws(VCFError) -> Void
    ) throws(VCFError) -> Bool {
        if raw.isEmpty || (raw.count == 1 && raw[0] == 13) { return false }
        if raw[0] == 35 {
            throw VCFError(.record, "a header line ('#…') after the first data line")
        }
        let view = try VCFRecordView(parsing: raw, sampleCount: sampleCount)
        try record(&result, view)
        return true
    }

    /// A worker's job: inflate if needed, split at newlines, and process the complete interior lines.
    static func work<Partial: Sendable>(
        _ batch: RawBatch, inflater: BGZFInflater, initial: Partial, sampleCount: Int, lenient: Bool,
        record: (inout Partial, VCFRecordView) throws(VCFError) -> Void
    ) -> BatchOutput<Partial> {
        var out = BatchOutput(
            head: [], tail: [], sawNewline: false, partial: initial, interiorLines: 0, records: 0, skipped: 0, problems: [], fatal: nil)
        let text: [UInt8]
        switch batch {
        case .text(let t): text = t
        case .compressed(let c):
            do throws(BGZFError) {
                text = try inflater.inflate(c)
            } catch {
                out.sawNewline = true
                out.fatal = error
                return out
            }
        }
        text.withUnsafeBytes { raw in
            let n = raw.count
            guard let first = raw.firstIndex(of: 10, in: 0..<n) else {
                out.head = text
                return
            }
            out.sawNewline = true
            out.head = Array(raw[0..<first])
            var last = n - 1
            while raw[last] != 10 { last -= 1 }
            if last + 1 < n { out.tail = Array(raw[(last + 1)..<n]) }
            var start = first + 1
            var index = 0
            while start <= last {
                let stop = raw.firstIndex(of: 10, in: start..<(last + 1))!
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<stop])
                do throws(VCFError) {
                    if try handle(line, sampleCount: sampleCount, into: &out.partial, record: record) { out.records += 1 }
                } catch {
                    var located = error
                    located.line = index
                    guard lenient else {
                        out.fatal = located
                        out.interiorLines = index
                        return
                    }
                    out.skipped += 1
                    if out.problems.count < problemLimit { out.problems.append((index, error)) }
                }
                index += 1
                start = stop + 1
            }
            out.interiorLines = index
        }
        return out
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        guard !range.isEmpty, let base = baseAddress else { return nil }
        guard let hit = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }
        return UnsafeRawPointer(hit) - base
    }
}
