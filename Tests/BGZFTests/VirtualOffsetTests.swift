import BGZF
import Testing

@Suite struct VirtualOffsetTests {
    @Test(arguments: [
        (Int64(0), 0, UInt64(0)),
        (0, 65_535, 0xffff),
        (1, 0, 0x1_0000),
        (1_267, 42, 83_034_154),
        (2_519, 100, 0x9d7_0064),
        ((Int64(1) << 47) - 1, 0xffff, UInt64.max >> 1),  // largest offsets tabix can hold
    ])
    func packsAndUnpacks(_ blockOffset: Int64, _ withinBlock: Int, _ raw: UInt64) {
        let v = VirtualOffset(blockOffset: blockOffset, withinBlock: withinBlock)
        #expect(v.rawValue == raw)
        #expect(v.blockOffset == blockOffset)
        #expect(v.withinBlock == withinBlock)
        #expect(VirtualOffset(rawValue: raw) == v)
        #expect(v.description == "\(blockOffset):\(withinBlock)")
    }

    @Test func withinBlockNeverSpillsIntoTheBlockOffset() {
        let v = VirtualOffset(blockOffset: 7, withinBlock: 70_000)
        #expect(v.blockOffset == 7)
        #expect(v.withinBlock == 70_000 & 0xffff)
    }

    @Test func ordersByBlockThenWithinBlock() {
        let a = VirtualOffset(blockOffset: 0, withinBlock: 65_535)
        let b = VirtualOffset(blockOffset: 1, withinBlock: 0)
        let c = VirtualOffset(blockOffset: 1, withinBlock: 1)
        let d = VirtualOffset(blockOffset: 1_267, withinBlock: 0)
        #expect(a < b)
        #expect(b < c)
        #expect(c < d)
        #expect(!(c < c))
        #expect([d, b, a, c].sorted() == [a, b, c, d])
        #expect([d, b, a, c].max() == d)
        #expect(Set([a, b, a]).count == 2)
    }
}
