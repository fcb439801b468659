#!/usr/bin/env python3
"""Writes a synthetic VEP-annotated tumour exome VCF of N variants (default 50,000) for the oncology benchmark.

Records cycle through a small set of annotated templates (missense, nonsense, frameshift, synonymous, intronic; real
gene symbols, three transcripts each, gnomAD fields) at shifted positions. Synthetic: for timing only.
Usage: make_oncology_bench_vcf.py OUT.vcf [N]
"""
import random, sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50000
fmt = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|Existing_variation|DISTANCE|STRAND|"
       "FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL|MANE_SELECT|PICK|SIFT|PolyPhen|gnomADe_AF|gnomADe_AFR_AF|gnomADe_AMR_AF|gnomADe_EAS_AF|"
       "gnomADe_NFE_AF|gnomADe_SAS_AF|CLIN_SIG")
genes = ["BRAF", "KRAS", "TP53", "EGFR", "PIK3CA", "PTEN", "APC", "ERBB2", "CDKN2A", "NRAS", "IDH1", "KIT", "MET", "ALK", "TTN",
         "MUC16", "OBSCN", "SYNE1", "LRP1B", "CSMD3"] + ["GENE%d" % i for i in range(400)]
kinds = [("missense_variant", "MODERATE", "p.Val{p}Glu", "c.{c}T>A"), ("stop_gained", "HIGH", "p.Arg{p}Ter", "c.{c}C>T"),
         ("frameshift_variant", "HIGH", "p.Ser{p}ArgfsTer7", "c.{c}delA"), ("synonymous_variant", "LOW", "p.Leu{p}%3D", "c.{c}G>A"),
         ("intron_variant", "MODIFIER", "", "c.{c}+40A>G"), ("missense_variant", "MODERATE", "p.Gly{p}Asp", "c.{c}G>A")]
rng = random.Random(7)
with open(out, "w") as f:
    f.write("##fileformat=VCFv4.2\n##reference=GRCh38\n")
    for c in range(1, 23):
        f.write("##contig=<ID=chr%d>\n" % c)
    f.write('##INFO=<ID=TVAF,Number=1,Type=Float,Description="Tumour VAF">\n##INFO=<ID=TDP,Number=1,Type=Integer,Description="Tumour depth">\n')
    f.write('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: %s">\n' % fmt)
    f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    per = n // 22 + 1
    i = 0
    for c in range(1, 23):
        pos = 1_000_000
        for _ in range(per):
            if i >= n:
                break
            i += 1
            pos += rng.randint(100, 3000)
            gene = rng.choice(genes)
            kind = rng.choice(kinds)
            p = rng.randint(10, 1200)
            entries = []
            for t in range(3):
                hgvsp = ("ENSP%011d.1:" % (i * 3 + t) + kind[2].format(p=p + t)) if kind[2] else ""
                entries.append("|".join(["A", kind[0], kind[1], gene, "ENSG%011d" % i, "Transcript", "ENST%011d.%d" % (i, t + 1),
                    "protein_coding", "%d/20" % (p % 20 + 1), "", "ENST%011d.%d:" % (i, t + 1) + kind[3].format(c=p * 3), hgvsp, "", "", "1", "",
                    "HGNC", "HGNC:1", "YES" if t == 0 else "", "NM_%06d.1" % i if t == 0 else "", "1" if t == 0 else "",
                    "deleterious(0.01)", "probably_damaging(0.99)", "0.00001", "0", "0", "0", "0.00002", "0", ""]))
            f.write("chr%d\t%d\t.\tT\tA\t.\tPASS\tTVAF=%.2f;TDP=%d;CSQ=%s\n" % (c, pos, rng.uniform(0.05, 0.6), rng.randint(30, 300), ",".join(entries)))
