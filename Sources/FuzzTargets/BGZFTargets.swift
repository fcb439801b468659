// What the BGZF fuzz target does with one input. Thrown `BGZFError`s are expected and ignored.

import BGZF

/// One inflater for the whole run: libFuzzer calls the target on one thread, and making a libdeflate
/// decompressor per input would dominate the run time.
nonisolated(unsafe) let inflater = BGZFInflater(path: "fuzz")

/// FuzzBGZFBlock: the input is read as BGZF blocks back to back (usually one). `container(of:)` classifies
/// it; `blockSize(in:at:fileOffset:)` finds each block; each complete block is inflated on its own with
/// `inflateBlock`, into a destination of exactly the size its trailer claims, and all complete blocks are
/// then inflated again as one `BGZFBatch`.
public func fuzzBGZFBlockInput(_ data: UnsafeRawBufferPointer) {
    _ = BGZFBlock.container(of: data)

    var starts: [Int] = [0]
    var offset = 0
    while offset < data.count, starts.count <= 16 {
        let size: Int?
        do {
            size = try BGZFBlock.blockSize(in: data, at: offset, fileOffset: Int64(offset))
        } catch {
            break
        }
        guard let size else { break }  // header not complete
        check(size >= BGZFBlock.fixedHeaderSize + 8 && size <= BGZFBlock.maxBlockSize, "impossible block size \(size)")
        guard offset + size <= data.count else { break }  // block not complete

        // The block in an allocation of exactly its size, so AddressSanitizer sees any read past it.
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { block.deallocate() }
        block.copyMemory(from: UnsafeRawBufferPointer(rebasing: data[offset..<offset + size]))
        let raw = UnsafeRawBufferPointer(block)
        let (crc, isize) = BGZFBlock.trailer(of: raw)
        let capacity = isize <= BGZFBlock.maxPayload ? isize : BGZFBlock.maxPayload
        let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { destination.deallocate() }
        if let written = try? inflater.inflateBlock(raw, into: destination, fileOffset: Int64(offset)) {
            check(written == isize, "inflateBlock wrote \(written) bytes but the trailer says \(isize)")
            // An empty payload has CRC32 0; any other stored CRC means the block was accepted unchecked.
            check(isize != 0 || crc == 0, "inflateBlock accepted an empty block whose CRC32 is \(crc), not 0")
        }
        // And into a destination one byte too small: must throw, not write past the end.
        if isize > 0 && isize <= BGZFBlock.maxPayload {
            let small = UnsafeMutableRawBufferPointer(rebasing: destination[0..<isize - 1])
            check((try? inflater.inflateBlock(raw, into: small, fileOffset: Int64(offset))) == nil, "a too-small destination was accepted")
        }
        offset += size
        starts.append(offset)
    }
    guard starts.count > 1 else { return }
    let batch = BGZFBatch(bytes: Array(data[0..<offset]), blockStarts: starts, fileOffset: 0)
    if let bytes = try? inflater.inflate(batch) {
        check(bytes.count <= batch.blockCount * BGZFBlock.maxPayload, "batch inflated to \(bytes.count) bytes")
    }
}
