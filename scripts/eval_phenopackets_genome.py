#!/usr/bin/env python3
"""Phenotype-only vs phenotype+genome evaluation of Tailor's germline ranking on ../shared/data/phenopackets-dev.

What it does (Python 3 standard library only):
1. Generates ONE synthetic background exome with ../shared/tools/gen_vcf.py (default 50,000 records, seed 1; single
   sample SAMPLE1) and reuses it for every case.
2. Annotates every background record with a minimal VEP-style INFO/CSQ
   (Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSc|HGVSp|gnomADe_AF), because gen_vcf.py emits no annotation:
   - gene: drawn uniformly from the genes of HPO genes_to_phenotype.txt (read from the bundled `hpo` pack), i.e. every
     background gene HAS phenotype annotations and competes with the causal gene. Causal genes are not excluded.
   - consequence: drawn at roughly exome-like rates (SNVs: intron 30%, missense 20%, synonymous 18%, UTR 9%,
     up/downstream 10%, splice region 3%, non-coding exon 4%, stop-gained 0.8%, splice donor/acceptor 0.6%,
     start/stop-lost 0.2%; indels: frameshift 8%, in-frame 6%, rest non-coding/UTR/splice region), so background
     variants include damaging ones (LoF, missense) in phenotype-annotated genes; 1-3 transcripts per allele, extra
     transcripts with milder consequences (exercises "most severe consequence" selection).
   - population frequency (gnomADe_AF): 90% common (1-50%), 5% 0.1-1%, 3% rare (<0.1%), 2% absent (unknown).
   - INFO/AF from gen_vcf.py is the call-set AF (0.5/1.0); Tailor does not read it as a population frequency.
   - FILTER (7% LowQual) and genotypes (60% het / 37% hom) are gen_vcf.py's.
   With these rates roughly 600-700 background variants per exome are rare and damaging — more than the
   ~200-500 of a real exome, so the task is not trivial.
3. Inserts each case's causal variant(s) from the phenopacket (interpretations -> variationDescriptor.vcfRecord, GRCh38;
   GT from allelicState: heterozygous 0/1, homozygous 1/1, hemizygous haploid 1), removing any background record at the
   same position. Their CSQ: gene = geneContext symbol; consequence derived from the phenopacket's own HGVS
   expressions (hgvs.p: fs -> frameshift, Ter -> stop_gained, Met1 -> start_lost, del/ins/dup -> in-frame, = ->
   synonymous, other -> missense; without a usable hgvs.p, hgvs.c: +1/+2/-1/-2 -> splice donor/acceptor, other
   intronic offsets <= 8 -> splice region, deeper -> intron, c.- / c.* -> UTR, indel -> frameshift/in-frame by length,
   substitution -> missense; m. notation (mitochondrial tRNA) -> non_coding_transcript_exon_variant, as VEP would).
   Causal variants get NO frequency (unknown), like 2% of background variants. No ClinVar file is used.
   Cases whose variants all lack a vcfRecord (structural / free text) are counted: they get the background only and
   count as misses in phenotype+genome mode.
4. Runs the Swift evaluator (Benchmarks/.build/release/germline-eval eval) once over all cases (HPO loaded once) and prints
   top-1/5/10 gene accuracy and median rank for phenotype-only and phenotype+genome, plus per-case timing.
Ranks are pessimistic (ties count against the causal gene). A gene without a compatible genotype is unranked (miss).

Usage: python3 scripts/eval_phenopackets_genome.py [--records 50000] [--seed 1] [--workdir /tmp/germline-eval] [--no-build]
"""
from __future__ import annotations

import argparse
import csv
import glob
import gzip
import json
import os
import random
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository (this file is in scripts/)
DATA = os.path.normpath(os.path.join(HERE, "..", "shared", "data", "phenopackets-dev"))
GEN_VCF = os.path.normpath(os.path.join(HERE, "..", "shared", "tools", "gen_vcf.py"))
HPO_GENES = os.path.join(HERE, "Sources", "Knowledge", "Packs", "hpo", "genes_to_phenotype.txt.gz")
CONTIGS = [f"chr{i}" for i in range(1, 23)] + ["chrX", "chrY", "chrM"]
CSQ_HEADER = ('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP (synthetic, '
              'eval_phenopackets_genome.py). Format: Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSc|HGVSp|gnomADe_AF">')

SNV_CONSEQUENCES = [
    ("intron_variant", 30), ("missense_variant", 20), ("synonymous_variant", 18), ("3_prime_UTR_variant", 6),
    ("5_prime_UTR_variant", 3), ("upstream_gene_variant", 5), ("downstream_gene_variant", 5),
    ("splice_region_variant&intron_variant", 3), ("non_coding_transcript_exon_variant", 4), ("stop_gained", 0.8),
    ("splice_donor_variant", 0.3), ("splice_acceptor_variant", 0.3), ("start_lost", 0.1), ("stop_lost", 0.1),
]
INDEL_CONSEQUENCES = [
    ("intron_variant", 45), ("frameshift_variant", 8), ("inframe_deletion", 3), ("inframe_insertion", 3),
    ("3_prime_UTR_variant", 10), ("5_prime_UTR_variant", 5), ("upstream_gene_variant", 8), ("downstream_gene_variant", 8),
    ("splice_region_variant&intron_variant", 5), ("non_coding_transcript_exon_variant", 5),
]
MILD = ["intron_variant", "non_coding_transcript_exon_variant", "upstream_gene_variant", "downstream_gene_variant", "3_prime_UTR_variant"]
IMPACT = {"stop_gained": "HIGH", "frameshift_variant": "HIGH", "splice_donor_variant": "HIGH", "splice_acceptor_variant": "HIGH",
          "start_lost": "HIGH", "stop_lost": "HIGH", "missense_variant": "MODERATE", "inframe_deletion": "MODERATE",
          "inframe_insertion": "MODERATE", "synonymous_variant": "LOW", "splice_region_variant&intron_variant": "LOW"}


def hpo_genes() -> list[str]:
    genes = set()
    with gzip.open(HPO_GENES, "rt") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = header.index("gene_symbol")
        for line in f:
            genes.add(line.split("\t")[col])
    return sorted(genes)


def draw_frequency(rng: random.Random) -> str:
    u = rng.random()
    if u < 0.90:
        return f"{10 ** rng.uniform(-2, -0.3):.4g}"
    if u < 0.95:
        return f"{10 ** rng.uniform(-3, -2):.4g}"
    if u < 0.98:
        return f"{10 ** rng.uniform(-5, -3):.4g}"
    return ""


def csq_allele(ref: str, alt: str, alts: list[str]) -> str:
    """VEP's Allele: the ALT without the shared first base when all alleles share it ('-' when empty)."""
    if all(a[:1] == ref[:1] for a in alts) and (len(ref) > 1 or any(len(a) > 1 for a in alts)):
        return alt[1:] or "-"
    return alt


def annotate_background(src: str, dst: str, genes: list[str], seed: int) -> int:
    rng = random.Random(seed * 7919 + 17)
    snv_terms, snv_w = zip(*SNV_CONSEQUENCES)
    indel_terms, indel_w = zip(*INDEL_CONSEQUENCES)
    n = 0
    with open(src) as fin, open(dst, "w") as out:
        for line in fin:
            if line.startswith("##"):
                out.write(line)
                if line.startswith("##contig=<ID=chrY"):
                    out.write("##contig=<ID=chrM,length=16569,assembly=GRCh38>\n")
                continue
            if line.startswith("#CHROM"):
                out.write(CSQ_HEADER + "\n" + line)
                continue
            f = line.rstrip("\n").split("\t")
            ref, alts = f[3], f[4].split(",")
            gene = rng.choice(genes)
            entries = []
            for alt in alts:
                indel = len(ref) != len(alt)
                term = rng.choices(indel_terms if indel else snv_terms, weights=indel_w if indel else snv_w)[0]
                freq = draw_frequency(rng)
                allele = csq_allele(ref, alt, alts)
                for t in range(rng.randint(1, 3)):
                    c = term if t == 0 else rng.choice(MILD)
                    entries.append(f"{allele}|{c}|{IMPACT.get(c, 'MODIFIER')}|{gene}|ENST{rng.randint(10**10, 10**11 - 1)}|||{freq}")
            f[7] = f[7] + ";CSQ=" + ",".join(entries)
            out.write("\t".join(f) + "\n")
            n += 1
    return n


def consequence_from_hgvs(expressions: dict[str, str], ref: str, alt: str) -> tuple[str, str, str]:
    """(consequence, hgvsc, hgvsp) from a phenopacket's HGVS expressions (see the module docstring)."""
    c = expressions.get("hgvs.c", "")
    p = expressions.get("hgvs.p", "")
    pbody = p.split(":")[-1].replace("(", "").replace(")", "") if p else ""
    if pbody and pbody not in ("p.?", "p.0", "p.="):
        if "fs" in pbody:
            return "frameshift_variant", c, p
        if pbody.startswith("p.Ter") or "ext" in pbody:
            return "stop_lost", c, p
        if pbody.startswith("p.Met1") and not pbody.startswith("p.Met1_"):
            return "start_lost", c, p
        if pbody.endswith("Ter") or pbody.endswith("*"):
            return "stop_gained", c, p
        if "delins" in pbody or "del" in pbody:
            return "inframe_deletion", c, p
        if "ins" in pbody or "dup" in pbody:
            return "inframe_insertion", c, p
        if pbody.endswith("="):
            return "synonymous_variant", c, p
        return "missense_variant", c, p
    cbody = c.split(":")[-1]
    if not cbody:
        g = expressions.get("hgvs.g", "")
        if ":m." in g or g.startswith("m."):
            return "non_coding_transcript_exon_variant", c, p
    m = re.match(r"c\.[*-]?\d+([+-])(\d+)", cbody)
    if m:
        off = int(m.group(2))
        if off <= 2:
            return ("splice_donor_variant" if m.group(1) == "+" else "splice_acceptor_variant"), c, p
        return ("splice_region_variant&intron_variant" if off <= 8 else "intron_variant"), c, p
    if cbody.startswith("c.-"):
        return "5_prime_UTR_variant", c, p
    if cbody.startswith("c.*"):
        return "3_prime_UTR_variant", c, p
    if len(ref) != len(alt):
        return ("frameshift_variant" if abs(len(ref) - len(alt)) % 3 else "inframe_deletion" if len(ref) > len(alt) else "inframe_insertion"), c, p
    return "missense_variant", c, p


def causal_variants(packet: dict) -> tuple[list[dict], int]:
    out, missing = [], 0
    for it in packet.get("interpretations", []):
        for gi in it.get("diagnosis", {}).get("genomicInterpretations", []):
            vd = gi.get("variantInterpretation", {}).get("variationDescriptor", {})
            rec = vd.get("vcfRecord")
            if not rec:
                missing += 1
                continue
            gene = vd.get("geneContext", {}).get("symbol") or gi.get("gene", {}).get("symbol")
            expressions = {e["syntax"]: e["value"] for e in vd.get("expressions", [])}
            state = vd.get("allelicState", {}).get("label", "heterozygous")
            chrom = rec["chrom"]
            chrom = "chrM" if chrom in ("MT", "M", "chrMT") else (chrom if chrom.startswith("chr") else "chr" + chrom)
            out.append(dict(chrom=chrom, pos=int(rec["pos"]), ref=rec["ref"], alt=rec["alt"], gene=gene, state=state,
                            expressions=expressions))
    return out, missing


def write_case_vcf(path: str, header: list[str], body: list[tuple[int, int, str]], causal: list[dict]) -> None:
    taken = {(CONTIGS.index(v["chrom"]), v["pos"]) for v in causal}
    lines = [b for b in body if (b[0], b[1]) not in taken]
    for v in causal:
        csq, hgvsc, hgvsp = consequence_from_hgvs(v["expressions"], v["ref"], v["alt"])
        allele = csq_allele(v["ref"], v["alt"], [v["alt"]])
        gt = {"homozygous": "1/1:0,30:30:99", "hemizygous": "1:0,30:30:99"}.get(v["state"], "0/1:15,15:30:99")
        info = f"DP=30;CSQ={allele}|{csq}|{IMPACT.get(csq, 'MODIFIER')}|{v['gene']}|CAUSAL|{hgvsc}|{hgvsp}|"
        text = f"{v['chrom']}\t{v['pos']}\t.\t{v['ref']}\t{v['alt']}\t500\tPASS\t{info}\tGT:AD:DP:GQ\t{gt}\n"
        lines.append((CONTIGS.index(v["chrom"]), v["pos"], text))
    lines.sort(key=lambda x: (x[0], x[1]))
    with open(path, "w") as f:
        f.writelines(header)
        f.writelines(t for _, _, t in lines)


def metrics(ranks: list[int | None]) -> str:
    n = len(ranks)
    def top(k: int) -> str:
        hits = sum(1 for r in ranks if r is not None and r <= k)
        return f"{hits}/{n} = {100 * hits / n:.1f}%"
    med = statistics.median([r if r is not None else float("inf") for r in ranks])
    return f"top-1 {top(1)}  top-5 {top(5)}  top-10 {top(10)}  median rank {med}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default="/tmp/germline-eval")
    ap.add_argument("--no-build", action="store_true", help="use the existing Benchmarks/.build/release/germline-eval")
    ap.add_argument("--keep", action="store_true", help="keep the per-case VCFs")
    ap.add_argument("--limit", type=int, default=0, help="only the first N cases of MANIFEST.tsv (quick runs)")
    a = ap.parse_args()

    os.makedirs(os.path.join(a.workdir, "cases"), exist_ok=True)
    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--package-path", "Benchmarks", "--product", "germline-eval"], cwd=HERE, check=True)
    binary = os.path.join(HERE, "Benchmarks", ".build", "release", "germline-eval")

    raw = os.path.join(a.workdir, f"background-{a.records}-{a.seed}.vcf")
    annotated = os.path.join(a.workdir, f"background-{a.records}-{a.seed}.csq.vcf")
    if not os.path.exists(annotated):
        subprocess.run([sys.executable, GEN_VCF, "--records", str(a.records), "--seed", str(a.seed), "-o", raw], check=True)
        annotate_background(raw, annotated, hpo_genes(), a.seed)
    header, body = [], []
    with open(annotated) as f:
        for line in f:
            if line.startswith("#"):
                header.append(line)
            else:
                chrom, pos = line.split("\t", 2)[:2]
                body.append((CONTIGS.index(chrom), int(pos), line))

    rows = []
    no_variant = 0
    partial = 0
    with open(os.path.join(DATA, "MANIFEST.tsv")) as f:
        manifest = list(csv.DictReader(f, delimiter="\t"))
    if a.limit:
        manifest = manifest[:a.limit]
    for row in manifest:
        path = os.path.join(DATA, row["path"])
        packet = json.load(open(path))
        causal, missing = causal_variants(packet)
        if not causal:
            no_variant += 1
        elif missing:
            partial += 1
        vcf = os.path.join(a.workdir, "cases", row["phenopacket_id"] + ".vcf")
        write_case_vcf(vcf, header, body, causal)
        sex = packet.get("subject", {}).get("sex", "UNKNOWN_SEX")
        rows.append(f"{path}\t{vcf}\t{sex}\n")
    cases = os.path.join(a.workdir, "cases.tsv")
    with open(cases, "w") as f:
        f.writelines(rows)

    proc = subprocess.run([binary, "eval", cases], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return 1
    results = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    with open(os.path.join(a.workdir, "results.jsonl"), "w") as f:
        f.write(proc.stdout)
    errors = [r for r in results if "error" in r]
    pheno = [r.get("pheno_rank") for r in results]
    genome = [r.get("genome_rank") for r in results]
    in_kb = [r for r in results if r.get("in_kb")]
    times = sorted(r["total_seconds"] for r in results if "total_seconds" in r)
    print(f"cases: {len(results)} ({len(errors)} errors); background exome: {len(body)} records (seed {a.seed}); "
          f"cases without any usable vcfRecord: {no_variant}; with one variant missing a vcfRecord: {partial}")
    print(f"phenotype-only        : {metrics(pheno)}")
    print(f"phenotype + genome    : {metrics(genome)}")
    print(f"  in HPO KB only (n={len(in_kb)}): pheno {metrics([r.get('pheno_rank') for r in in_kb])}")
    print(f"                        genome {metrics([r.get('genome_rank') for r in in_kb])}")
    if times:
        print(f"per-case time (phenotype scoring + VCF read + diagnosis): median {statistics.median(times):.3f} s, "
              f"max {times[-1]:.3f} s, mean {statistics.mean(times):.3f} s")
        vcf_t = statistics.median(r["vcf_seconds"] for r in results if "vcf_seconds" in r)
        ph_t = statistics.median(r["pheno_seconds"] for r in results if "pheno_seconds" in r)
        dg_t = statistics.median(r["diagnose_seconds"] for r in results if "diagnose_seconds" in r)
        print(f"  medians: phenotype {ph_t:.3f} s, VCF read {vcf_t:.3f} s, variant analysis {dg_t:.3f} s")
    misses = [r for r in results if r.get("genome_rank") != 1]
    print(f"not ranked first with genome ({len(misses)}):")
    for r in misses:
        print(f"  {os.path.relpath(r['phenopacket'], DATA)} genes={r.get('genes')} in_kb={r.get('in_kb')} pheno_rank={r.get('pheno_rank')} "
              f"genome_rank={r.get('genome_rank')} top={r.get('top')} causal_filtered={r.get('causal_filtered')} {r.get('error', '')}")
    if not a.keep:
        for p in glob.glob(os.path.join(a.workdir, "cases", "*.vcf")):
            os.remove(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
