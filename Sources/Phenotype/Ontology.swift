/// The HPO as a DAG of integer term indices, read from `hp.obo`.
///
/// Only current (non-obsolete) terms get an index. Obsolete terms and alternative IDs are kept aside so that a
/// patient's old IDs can be mapped to the current term, with a note, instead of being dropped silently (a
/// recurring complaint about Exomiser and LIRICAL).
public struct HPOntology: Sendable {
    /// The release, from `data-version: hp/releases/YYYY-MM-DD` (or the raw data-version), if the file states one.
    public let version: String?
    /// Current terms, by index.
    public let ids: [HPOTermID]
    public let names: [String]
    /// `is_a` parents of each term (CSR: `parents[parentStart[i]..<parentStart[i+1]]`).
    let parentStart: [Int32]
    let parents: [Int32]
    /// Each term's ancestors including itself (CSR), so "is a kind of" is a scan of a short array.
    let ancestorStart: [Int32]
    let ancestorList: [Int32]
    /// Every term after all of its parents.
    let topologicalOrder: [Int32]
    let indexByNumber: [Int: Int32]
    /// Alternative ID number → index of the current term.
    let alternatives: [Int: Int32]
    let obsoleteTerms: [Int: ObsoleteTerm]

    /// An obsolete term as the OBO file describes it.
    struct ObsoleteTerm: Sendable {
        var name: String
        var replacedBy: [HPOTermID]
        var consider: [HPOTermID]
    }

    /// How an ID relates to the current ontology.
    public enum Status: Sendable, Equatable {
        /// A current term.
        case current(Int)
        /// An `alt_id` of the current term at this index (the same concept under an older ID).
        case alternative(of: Int)
        /// An obsolete term whose `replaced_by` (or, failing that, sole `consider`) is the current term at `by`.
        case replaced(by: Int, viaConsider: Bool)
        /// An obsolete term without a single replacement; `consider` lists HPO's suggestions.
        case obsolete(name: String, consider: [HPOTermID])
        /// Not in this release (perhaps newer than it).
        case unknown
    }

    public var count: Int { ids.count }

    /// The index of a current term, or nil (obsolete, alternative or unknown IDs included: use ``status(of:)``).
    public func index(of id: HPOTermID) -> Int? { indexByNumber[id.number].map(Int.init) }

    public func id(at index: Int) -> HPOTermID { ids[index] }
    public func name(at index: Int) -> String { names[index] }

    /// The is_a parents of a term.
    public func parents(of index: Int) -> ArraySlice<Int32> { parents[Int(parentStart[index])..<Int(parentStart[index + 1])] }

    /// A term's ancestors, the term itself included.
    public func ancestors(of index: Int) -> ArraySlice<Int32> {
        ancestorList[Int(ancestorStart[index])..<Int(ancestorStart[index + 1])]
    }

    /// True when `ancestor` is `term` or one of its ancestors.
    public func isA(_ term: Int, _ ancestor: Int) -> Bool { ancestors(of: term).contains(Int32(ancestor)) }

    /// Maps an ID to the current ontology, following `alt_id`, `replaced_by` and a sole `consider`.
    public func status(of id: HPOTermID) -> Status {
        var current = id
        var viaConsider = false
        // Replacements can chain (a replacement later obsoleted in turn); a few steps cover every real chain.
        for _ in 0..<8 {
            if let i = indexByNumber[current.number] {
                return current == id ? .current(Int(i)) : .replaced(by: Int(i), viaConsider: viaConsider)
            }
            if let i = alternatives[current.number] {
                return current == id ? .alternative(of: Int(i)) : .replaced(by: Int(i), viaConsider: viaConsider)
            }
            guard let obsolete = obsoleteTerms[current.number] else {
                // A replacement that is not in this release: report the original term and where HPO points.
                return current == id ? .unknown : .obsolete(name: obsoleteTerms[id.number]?.name ?? "", consider: [current])
            }
            if let next = obsolete.replacedBy.first, obsolete.replacedBy.count == 1 {
                current = next
            } else if obsolete.replacedBy.isEmpty, obsolete.consider.count == 1 {
                current = obsolete.consider[0]
                viaConsider = true
            } else {
                return .obsolete(name: obsoleteTerms[id.number]?.name ?? obsolete.name, consider: obsolete.replacedBy + obsolete.consider)
            }
        }
        return .obsolete(name: obsoleteTerms[id.number]?.name ?? "", consider: [])
    }

    /// The name of an obsolete term, if `id` is one.
    public func obsoleteName(_ id: HPOTermID) -> String? { obsoleteTerms[id.number]?.name }

    /// Reads an OBO 1.2/1.4 file (only `[Term]` stanzas; tags `id`, `name`, `is_a`, `alt_id`, `is_obsolete`,
    /// `replaced_by`, `consider`). Terms outside the `HP:` namespace are ignored.
    ///
    /// - Throws: ``PhenotypeError/malformedFile(file:line:message:)`` for a term without an ID, an `is_a` to a term
    ///   that is not current, or a cycle.
    public init(obo bytes: [UInt8], file: String = "hp.obo") throws(PhenotypeError) {
        struct Stanza {
            var line = 0
            var number: Int?
            var name = ""
            var parents: [Int] = []
            var alternatives: [Int] = []
            var obsolete = false
            var replacedBy: [Int] = []
            var consider: [Int] = []
        }
        var stanzas: [Stanza] = []
        var version: String?
        try bytes.withUnsafeBufferPointer { (b: TextScan.Bytes) throws(PhenotypeError) in
            var current: Stanza?
            var inHeader = true
            func finish() throws(PhenotypeError) {
                if let stanza = current {
                    guard stanza.number != nil else {
                        throw PhenotypeError.malformedFile(file: file, line: stanza.line, message: "a [Term] without an HP id")
                    }
                    stanzas.append(stanza)
                }
                current = nil
            }
            try TextScan.forEachLine(b) { (line: Range<Int>, number: Int) throws(PhenotypeError) in
                guard !line.isEmpty else { return }
                if b[line.lowerBound] == UInt8(ascii: "[") {
                    try finish()
                    inHeader = false
                    if TextScan.equals(b, line, "[Term]") { current = Stanza(line: number) }
                    return
                }
                if inHeader {
                    if TextScan.hasPrefix(b, line, "data-version: ") {
                        let value = TextScan.string(b, (line.lowerBound + 14)..<line.upperBound)
                        version = value.hasPrefix("hp/releases/") ? String(value.dropFirst(12)) : value
                    }
                    return
                }
                guard current != nil else { return }
                func value(_ tagLength: Int) -> Range<Int> { (line.lowerBound + tagLength)..<line.upperBound }
                if TextScan.hasPrefix(b, line, "id: ") {
                    // Non-HP ids (none in hp.obo today) leave the stanza without a number: ignored.
                    current?.number = TextScan.termNumber(b, value(4))
                    if current?.number == nil { current = nil }
                } else if TextScan.hasPrefix(b, line, "name: ") {
                    current?.name = TextScan.string(b, value(6))
                } else if TextScan.hasPrefix(b, line, "is_a: ") {
                    if let n = TextScan.termNumber(b, value(6)) { current?.parents.append(n) }
                } else if TextScan.hasPrefix(b, line, "alt_id: ") {
                    if let n = TextScan.termNumber(b, value(8)) { current?.alternatives.append(n) }
                } else if TextScan.hasPrefix(b, line, "is_obsolete: true") {
                    current?.obsolete = true
                } else if TextScan.hasPrefix(b, line, "replaced_by: ") {
                    if let n = TextScan.termNumber(b, value(13)) { current?.replacedBy.append(n) }
                } else if TextScan.hasPrefix(b, line, "consider: ") {
                    if let n = TextScan.termNumber(b, value(10)) { current?.consider.append(n) }
                }
            }
            try finish()
        }

        var ids: [HPOTermID] = []
        var names: [String] = []
        var indexByNumber: [Int: Int32] = [:]
        var obsoleteTerms: [Int: ObsoleteTerm] = [:]
        for stanza in stanzas {
            let number = stanza.number!
            if stanza.obsolete {
                obsoleteTerms[number] = ObsoleteTerm(
                    name: stanza.name, replacedBy: stanza.replacedBy.map(HPOTermID.init), consider: stanza.consider.map(HPOTermID.init))
                continue
            }
            guard indexByNumber[number] == nil else {
                throw PhenotypeError.malformedFile(file: file, line: stanza.line, message: "\(HPOTermID(number)) is defined twice")
            }
            indexByNumber[number] = Int32(ids.count)
            ids.append(HPOTermID(number))
            names.append(stanza.name)
        }
        var alternatives: [Int: Int32] = [:]
        var parentStart: [Int32] = [0]
        var parents: [Int32] = []
        parentStart.reserveCapacity(ids.count + 1)
        for stanza in stanzas where !stanza.obsolete {
            let index = indexByNumber[stanza.number!]!
            for alt in stanza.alternatives where indexByNumber[alt] == nil { alternatives[alt] = index }
            for p in Set(stanza.parents).sorted() {
                guard let parent = indexByNumber[p] else {
                    throw PhenotypeError.malformedFile(
                        file: file, line: stanza.line,
                        message: "\(HPOTermID(stanza.number!)) is_a \(HPOTermID(p)), which is not a current term")
                }
                parents.append(parent)
            }
            parentStart.append(Int32(parents.count))
        }

        // Kahn's algorithm: parents before children; a leftover term means a cycle.
        let n = ids.count
        var childCount = [Int32](repeating: 0, count: n + 1)
        for p in parents { childCount[Int(p) + 1] += 1 }
        for i in 0..<n { childCount[i + 1] += childCount[i] }
        var children = [Int32](repeating: 0, count: parents.count)
        var fill = Array(childCount.dropLast())
        for child in 0..<n {
            for k in Int(parentStart[child])..<Int(parentStart[child + 1]) {
                let p = Int(parents[k])
                children[Int(fill[p])] = Int32(child)
                fill[p] += 1
            }
        }
        var pending = (0..<n).map { parentStart[$0 + 1] - parentStart[$0] }
        var order: [Int32] = (0..<n).filter { pending[$0] == 0 }.map { Int32($0) }
        order.reserveCapacity(n)
        var head = 0
        while head < order.count {
            let t = Int(order[head])
            head += 1
            for k in Int(childCount[t])..<Int(childCount[t + 1]) {
                let c = Int(children[k])
                pending[c] -= 1
                if pending[c] == 0 { order.append(Int32(c)) }
            }
        }
        guard order.count == n else {
            let stuckIndex = (0..<n).first(where: { pending[$0] > 0 })
            let stuck = stuckIndex.map { ids[$0].description } ?? "?"
            throw PhenotypeError.malformedFile(file: file, line: 0, message: "the is_a graph has a cycle (through \(stuck))")
        }

        // Ancestor closure in topological order, de-duplicated with a stamp per term.
        var ancestorLists = [[Int32]](repeating: [], count: n)
        var stamp = [Int32](repeating: -1, count: n)
        for t32 in order {
            let t = Int(t32)
            var list: [Int32] = [t32]
            stamp[t] = t32
            for k in Int(parentStart[t])..<Int(parentStart[t + 1]) {
                for a in ancestorLists[Int(parents[k])] where stamp[Int(a)] != t32 {
                    stamp[Int(a)] = t32
                    list.append(a)
                }
            }
            ancestorLists[t] = list
        }
        var ancestorStart: [Int32] = [0]
        ancestorStart.reserveCapacity(n + 1)
        var ancestorList: [Int32] = []
        ancestorList.reserveCapacity(ancestorLists.reduce(0) { $0 + $1.count })
        for list in ancestorLists {
            ancestorList += list
            ancestorStart.append(Int32(ancestorList.count))
        }

        self.version = version
        self.ids = ids
        self.names = names
        self.parentStart = parentStart
        self.parents = parents
        self.ancestorStart = ancestorStart
        self.ancestorList = ancestorList
        self.topologicalOrder = order
        self.indexByNumber = indexByNumber
        self.alternatives = alternatives
        self.obsoleteTerms = obsoleteTerms
    }
}
