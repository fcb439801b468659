import BGZF
public import VCF

extension VCFFile {
    /// Calls `body` with every record overlapping `region`, using `index` to read only the blocks that can hold them.
    ///
    /// Overlap uses the record's reference span (INFO/END for symbolic alleles and gVCF blocks), as tabix does.
    ///
    /// - Returns: the number of records visited.
    /// - Throws: ``VCFError`` of kind `.request` if the file is not BGZF; read and parse errors as for a scan.
    @discardableResult
    public func query(
        _ region: GenomicRegion, index: GenomicIndex, _ body: (VCFRecordView) throws(VCFError) -> Void
    ) throws -> Int {
        guard container == .bgzf else {
            throw VCFError(.request, "an index query needs a BGZF-compressed file (bgzip it, then tabix -p vcf)", path: path)
        }
        guard index.covers(region.contig) else {
            throw VCFError(.request, "the index was loaded for one other contig only; load it in full to query \(region.contig)", path: path)
        }
        let inflater = BGZFInflater(path: path)
        let sampleCount = header.samples.count
        guard let refIndex = index.referenceIndex(for: region.contig) else { return 0 }
        let contigName = Array(index.names[refIndex].utf8)
        var visited = 0
        for chunk in index.chunks(for: region) {
            let (text, lastBlockStart) = try inflateBlocks(from: chunk.begin.blockOffset, through: chunk.end.blockOffset, inflater: inflater)
            // Bytes of the chunk: from begin's offset in the first block up to end's offset in the last block.
            let stop = min(text.count, lastBlockStart + chunk.end.withinBlock)
            var done = false
            try text.withUnsafeBytes { (raw) throws in
                var start = chunk.begin.withinBlock
                while start < stop && !done {
                    let newline = raw.firstIndex(of: 10, in: start..<raw.count) ?? raw.count
                    let line = UnsafeRawBufferPointer(rebasing: raw[start..<newline])
                    start = newline + 1
                    if line.isEmpty || line[0] == 35 { continue }
                    let view: VCFRecordView
                    do throws(VCFError) {
                        view = try VCFRecordView(parsing: line, sampleCount: sampleCount)
                    } catch {
                        guard options.lenient else { throw error.located(line: nil, path: path) }
                        continue
                    }
                    guard view.chromEquals(contigName) else { continue }
                    if view.position > region.end {
                        done = true
                        break
                    }
                    if region.overlaps(position: view.position, referenceEnd: view.referenceEnd) {
                        visited += 1
                        try body(view)
                    }
                }
            }
            if done { break }
        }
        return visited
    }

}
