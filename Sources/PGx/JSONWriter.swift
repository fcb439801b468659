/// A small JSON writer for the hot path of cohort output (one gene object per new genotype pattern), where
/// Foundation's `JSONEncoder` cost more than the analysis. Writes keys in the order given (callers give them sorted,
/// as the encoder's `.sortedKeys` does), escapes as the encoder does with `.withoutEscapingSlashes`, and leaves
/// non-ASCII as UTF-8.
struct JSONWriter {
    var bytes: [UInt8] = []
    private var needsComma = [false]

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma.removeLast()
    }

    mutating func key(_ name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    mutating func value(_ text: String?) {
        separate()
        if let text { string(text) } else { bytes += Array("null".utf8) }
    }

    mutating func value(_ flag: Bool) {
        separate()
        bytes += Array((flag ? "true" : "false").utf8)
    }

    mutating func value(_ number: Int?) {
        separate()
        bytes += Array((number.map(String.init) ?? "null").utf8)
    }

    mutating func value(_ texts: [String]) {
        separate()
        bytes.append(UInt8(ascii: "["))
        for (i, text) in texts.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(text)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension PGxSampleReport.GeneResult {
    /// The gene's JSON object, with the same keys and values as its `Encodable` form, in sorted key order.
    var json: [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("activity_score"); w.value(activityScore)
        w.key("called"); w.value(called)
        w.key("diplotypes"); w.value(diplotypes)
        w.key("gene"); w.value(gene)
        w.key("lookup_keys"); w.value(lookupKeys)
        w.key("messages")
        w.beginArray()
        for message in messages {
            w.beginObject()
            w.key("drugs"); w.value(message.drugs)
            w.key("kind"); w.value(message.kind)
            w.key("rule"); w.value(message.rule)
            w.key("text"); w.value(message.text)
            w.endObject()
        }
        w.endArray()
        w.key("missing_positions"); w.value(missingPositions)
        w.key("outside_call"); w.value(outsideCall)
        w.key("phased"); w.value(phased)
        w.key("phenotype"); w.value(phenotype)
        w.key("phenotype_source"); w.value(phenotypeSource)
        w.key("print_calls"); w.value(printCalls)
        w.key("recommendation_diplotypes"); w.value(recommendationDiplotypes)
        w.key("score"); w.value(score)
        w.key("warnings"); w.value(warnings)
        w.endObject()
        return w.bytes
    }
}
