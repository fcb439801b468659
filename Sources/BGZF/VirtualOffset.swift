/// A BGZF virtual file offset: the compressed offset of a block in the high 48 bits and the offset
/// inside that block's uncompressed data in the low 16 bits, as tabix and CSI indexes store them.
public struct VirtualOffset: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(blockOffset: Int64, withinBlock: Int) {
        rawValue = UInt64(blockOffset) << 16 | UInt64(withinBlock & 0xffff)
    }

    /// Byte offset of the block in the compressed file.
    public var blockOffset: Int64 { Int64(rawValue >> 16) }
    /// Offset inside the block's uncompressed data.
    public var withinBlock: Int { Int(rawValue & 0xffff) }

    public static func < (lhs: VirtualOffset, rhs: VirtualOffset) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "\(blockOffset):\(withinBlock)" }
}
