import Foundation

public enum Sex: String, Sendable, Hashable, Codable { case male, female, unknown }
public enum AffectedStatus: String, Sendable, Hashable, Codable { case affected, unaffected, unknown }

/// One individual of a PED file.
public struct PedigreeMember: Sendable, Hashable, Codable {
    public var family: String
    public var id: String
    public var father: String?
    public var mother: String?
    public var sex: Sex
    public var status: AffectedStatus

    public init(family: String = "FAM", id: String, father: String? = nil, mother: String? = nil, sex: Sex, status: AffectedStatus) {
        self.family = family
        self.id = id
        self.father = father
        self.mother = mother
        self.sex = sex
        self.status = status
    }
}

/// A pedigree from a PED file (PLINK/Jannovar 6-column form): family, individual, father, mother, sex (1 male,
/// 2 female, other unknown), phenotype (2 affected, 1 unaffected, 0 or −9 unknown). Columns are separated by tabs or
/// spaces; `#` lines are comments; a parent `0` is absent.
public struct Pedigree: Sendable, Hashable, Codable {
    public var members: [PedigreeMember]

    public init(members: [PedigreeMember]) { self.members = members }

    public func member(_ id: String) -> PedigreeMember? { members.first { $0.id == id } }

    /// Reads PED text.
    ///
    /// - Throws: ``GermlineError/malformed(file:line:message:)`` naming the line of a row with fewer than 6 columns, a
    ///   duplicated individual, a phenotype other than 0/1/2/−9, or a parent who is the individual.
    public static func parse(_ text: String, file: String = "pedigree.ped") throws -> Pedigree {
        var members: [PedigreeMember] = []
        try LineReader.forEachLine(text: text) { line, number in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return }
            func fail(_ message: String) -> GermlineError { .malformed(file: file, line: number, message: message) }
            let f = trimmed.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            guard f.count >= 6 else { throw fail("expected 6 columns (family, individual, father, mother, sex, phenotype), found \(f.count)") }
            if members.contains(where: { $0.id == f[1] }) { throw fail("individual '\(f[1])' appears twice") }
            let sex: Sex = f[4] == "1" ? .male : f[4] == "2" ? .female : .unknown
            let status: AffectedStatus
            switch f[5] {
            case "2": status = .affected
            case "1": status = .unaffected
            case "0", "-9": status = .unknown
            default: throw fail("phenotype '\(f[5])' is not 1 (unaffected), 2 (affected), 0 or -9 (unknown)")
            }
            let father = f[2] == "0" ? nil : f[2]
            let mother = f[3] == "0" ? nil : f[3]
            if father == f[1] || mother == f[1] { throw fail("individual '\(f[1])' is listed as their own parent") }
            members.append(PedigreeMember(family: f[0], id: f[1], father: father, mother: mother, sex: sex, status: status))
        }
        guard !members.isEmpty else { throw GermlineError.malformed(file: file, line: 1, message: "no individuals") }
        return Pedigree(members: members)
    }

    public static func load(path: String) throws -> Pedigree {
        guard let data = FileManager.default.contents(atPath: path) else { throw GermlineError.unreadable(file: path, message: "cannot be read") }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// A single affected individual.
    public static func singleton(_ id: String, sex: Sex) -> Pedigree {
        Pedigree(members: [PedigreeMember(id: id, sex: sex, status: .affected)])
    }
}
