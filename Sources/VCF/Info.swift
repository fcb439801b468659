/// A decoded INFO or FORMAT value, typed by its header definition.
public enum VCFValue: Sendable, Hashable {
    case flag
    case integers([Int?])
    case floats([Double?])
    case strings([String?])
}

extension VCFRecordView {
    /// Calls `body` with the key range and the value range (`nil` for a flag) of each INFO entry until it returns false.
    /// Ranges index ``bytes``; public for readers of long values (VEP's `CSQ`) that parse them in place, in one pass.
    @inline(__always)
    public func forEachInfoEntry(_ body: (Range<Int>, Range<Int>?) -> Bool) {
        let range = infoRange
        if range.count == 1 && bytes[range.lowerBound] == ASCII.dot { return }
        var start = range.lowerBound
        while start < range.upperBound {
            var stop = start
            var eq = -1
            while stop < range.upperBound, bytes[stop] != ASCII.semicolon {
                if eq < 0 && bytes[stop] == ASCII.equals { eq = stop }
                stop += 1
            }
            if stop > start {
                let keep = eq < 0 ? body(start..<stop, nil) : body(start..<eq, eq + 1..<stop)
                if !keep { return }
            }
            start = stop + 1
        }
    }

    /// INFO keys in file order.
    public var infoKeys: [String] {
        var keys: [String] = []
        forEachInfoEntry { key, _ in
            keys.append(bytes.string(key))
            return true
        }
        return keys
    }

    /// The raw text of INFO `key`: `""` for a present flag, `nil` when absent.
    public func infoText(_ key: String) -> String? {
        let wanted = Array(key.utf8)
        var found: String?
        forEachInfoEntry { k, v in
            guard bytes.equals(k, wanted) else { return true }
            found = v.map { bytes.string($0) } ?? ""
            return false
        }
        return found
    }

    /// A single integer INFO value (such as END) without allocating, or `nil` if absent or not an integer.
    public func infoInteger(_ key: StaticString) -> Int? {
        var found: Int?
        forEachInfoEntry { k, v in
            guard bytes.equals(k, key) else { return true }
            if let v { found = Numbers.integer(bytes, v) }
            return false
        }
        return found
    }

    /// INFO `key` decoded with the type its `##INFO` line declares (String when undeclared, as htslib does).
    ///
    /// - Throws: ``VCFError`` naming `INFO/key` when a value does not match its declared type.
    public func info(_ key: String, header: VCFHeader) throws(VCFError) -> VCFValue? {
        guard let text = infoText(key) else { return nil }
        let definition = header.infos[key]
        return try decodeValue(text, type: definition?.type ?? .string, field: "INFO/" + key, header: header)
    }
}

/// Decodes a comma-separated value list: `.` elements are missing; 4.3 strings are percent-decoded.
func decodeValue(_ text: String, type: VCFValueType, field: String, header: VCFHeader) throws(VCFError) -> VCFValue {
    if type == .flag { return .flag }
    // Split on the byte, not the Character: a comma followed by a combining mark is one Character.
    let parts = text.utf8.split(separator: ASCII.comma, omittingEmptySubsequences: false).map { Substring(String(decoding: $0, as: UTF8.self)) }
    switch type {
    case .integer:
        var values: [Int?] = []
        for part in parts {
            if part == "." {
                values.append(nil)
                continue
            }
            guard let value = Int(part) else {
                throw VCFError(.record, "\(quoted(part, limit: 20)) is not an integer", field: field)
            }
            values.append(value)
        }
        return .integers(values)
    case .float:
        var values: [Double?] = []
        for part in parts {
            if part == "." {
                values.append(nil)
                continue
            }
            var s = String(part)
            let value = s.withUTF8 { Numbers.double(UnsafeRawBufferPointer($0), 0..<$0.count) }
            guard let value else { throw VCFError(.record, "\(quoted(part, limit: 20)) is not a number", field: field) }
            values.append(value)
        }
        return .floats(values)
    case .character, .string, .flag:
        return .strings(parts.map { $0 == "." ? nil : decodeText(String($0), header: header) })
    }
}
