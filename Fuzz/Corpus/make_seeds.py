#!/usr/bin/env python3
"""Rebuilds the seed corpora in Fuzz/Corpus/<target>/ from the PharmCAT test files (see SOURCE.md).

    python3 Corpus/make_seeds.py [PHARMCAT_TESTS_DIR]

PHARMCAT_TESTS_DIR defaults to /work/shared/data/pharmcat/tests. The output is deterministic; seeds
are named by content hash (as libFuzzer names corpus files) with a readable prefix.
"""
import gzip
import hashlib
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/pharmcat/tests"
MAX_LEN = 4096  # run.sh passes -max_len=4096

VCF_FILES = [
    "preprocessor/raw.vcf",
    "preprocessor/test_gvcf_block.vcf",
    "preprocessor/test_gvcf_block_in_header.vcf",
    "preprocessor/test_not_gvcf_block.vcf",
    "haplotype/VcfReaderTest-AD.vcf",
    "haplotype/VcfReaderTest-AD-invalid.vcf",
    "haplotype/VcfReaderTest-AD-missing.vcf",
    "haplotype/VcfReaderTest-alleleOrder.vcf",
    "haplotype/VcfReaderTest-badAllele.vcf",
    "haplotype/VcfReaderTest-filters.vcf",
    "haplotype/VcfReaderTest-phaseSet.vcf",
    "haplotype/VcfReaderTest-phasing.vcf",
    "haplotype/VcfReaderTest-structuralAlt.vcf",
    "haplotype/haplotyper.vcf",
    "haplotype/NamedAlleleMatcher-unknownAltMultisample.vcf",
]

BGZF_FILES = [
    "preprocessor/raw.vcf.bgz",
    "preprocessor/raw-p1.vcf.bgz",
    "preprocessor/raw.bcf.bgzf",
    "multisample.vcf.bgz",
    "100samples.vcf.bgz",
]


WRITTEN = set()


def write(target, prefix, data):
    """Writes one seed, skipping contents already written for the target."""
    digest = hashlib.sha1(data).hexdigest()[:12]
    if (target, digest) in WRITTEN:
        return
    WRITTEN.add((target, digest))
    directory = os.path.join(HERE, target)
    os.makedirs(directory, exist_ok=True)
    name = f"{prefix}-{digest}"
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def cut(data, limit=MAX_LEN):
    """At most `limit` bytes, ending at a line boundary."""
    if len(data) <= limit:
        return data
    return data[: data.rfind(b"\n", 0, limit) + 1]


# ---- FuzzVCFHeader: whole small files (header plus data lines) and hand-written headers.

HEADERS = [
    # VCF 4.3 with every Number and Type, escaped quotes, percent-encoding, GRCh38 contig lengths.
    b"""##fileformat=VCFv4.3
##fileDate=20251121
##source=Tailor fuzz seed
##reference=file:///ref/GRCh38.fa
##contig=<ID=chr1,length=248956422,assembly=GRCh38>
##contig=<ID=chr2,length=242193529>
##contig=<ID=chrM,length=16569>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele \\"frequency\\", per ALT">
##INFO=<ID=AC,Number=R,Type=Integer,Description="Counts">
##INFO=<ID=PL,Number=G,Type=Integer,Description="Likelihoods">
##INFO=<ID=ANN,Number=.,Type=String,Description="Annotation, with commas">
##INFO=<ID=C,Number=1,Type=Character,Description="A character">
##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP">
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
##FILTER=<ID=q10,Description="Quality below 10">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##ALT=<ID=DEL,Description="Deletion">
##META=<ID=Assay,Type=String,Number=.,Values=[WholeGenome, Exome]>
##pedigree
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878\tNA12891
chr1\t100\trs1;rs2\tA\tG,<DEL>\t50.5\tPASS\tDP=10;AF=0.5,0.1;AC=1,1,0;DB;ANN=a%3Bb%2Cc;C=x;END=200\tGT:DP:AD\t0|1:10:5,5,0\t1/2:.:.
chrM\t1555\t.\tG\tA\t.\tq10\t.\tGT\t1\t.
""",
    # Sites-only VCF 4.2, GRCh37 contig lengths without chr.
    b"""##fileformat=VCFv4.2
##contig=<ID=1,length=249250621>
##contig=<ID=X,length=155270560>
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
1\t10000\tsv1\tN\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=20000
X\t321681\tbnd_W\tG\tG]17:198982]\t6\tPASS\tSVTYPE=BND
1\t5\t.\tA\t.A\t1e-05\t.\t.
""",
    # VCF 4.4 with a haploid phased call and the * allele; CRLF line ends.
    b"##fileformat=VCFv4.4\r\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\r\n"
    b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\r\n"
    b"chrX\t2\t.\tTG\tT,*\tnan\tPASS\t.\tGT\t|0\r\n",
    # Minimal header only.
    b"##fileformat=VCFv4.0\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    b"##fileformat=VCFv4.1\n##reference=hg19\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\tc\n",
]


def header_seeds():
    for i, h in enumerate(HEADERS):
        write("FuzzVCFHeader", f"handmade{i}", h)
    for rel in VCF_FILES:
        data = open(os.path.join(SRC, rel), "rb").read()
        base = os.path.basename(rel).removesuffix(".vcf")
        write("FuzzVCFHeader", base, cut(data))


# ---- FuzzVCFRecord: config byte ('0'-'2' samples, VCFv4.2; '4'-'6' the same with VCFv4.3) then data lines.

def fit_samples(line, n):
    """The line with exactly n sample columns (FORMAT dropped when n == 0)."""
    cols = line.split(b"\t")
    if len(cols) < 8:
        return None
    fixed = cols[:8]
    if n == 0:
        return b"\t".join(fixed)
    if len(cols) < 10:
        return None
    samples = cols[9:]
    while len(samples) < n:
        samples.append(samples[-1])
    return b"\t".join(fixed + [cols[8]] + samples[:n])


RECORDS = [
    b"6chr1\t100\trs1;rs2\tA\tG,<DEL>\t50.5\tPASS\tDP=10;AF=0.5,0.1;END=200;DB;ANN=a%3Bb\tGT:DP:AD\t0|1:10:5,5,0\t1/2:.:.",
    b"5chr1\t123456\t.\tG\t<*>\t.\tPASS\tEND=223456\tGT:DP\t0/0:30",
    b"4chr2\t321681\tbnd_W\tG\tG]17:198982]\t6\tPASS\tDP=3",
    b"4chr2\t321682\tbnd_V\tT\t]13:123456]T\t6\tPASS\t.",
    b"0chr1\t1\t.\tN\t.N,N.\t.\t.\t.",
    b"2chrX\t2\t.\tTG\tT,*\t-Inf\tPASS\tAF=.,1e-3\tGT:AD\t|0\t0/1/2",
    b"6chr1\t5\t.\tAC\tA,ACC,<NON_REF>\t.5\tq10;s50\tAF=0.1,0.2,0\tGT:DP:AD\t./.\t./1:.:1,2,3,0",
    b"1chr1\t7\t.\tACGT\tTGCA\t1E+10\tPASS\tDP=+5\tDP:GT\t7\t0\r",
    b"2chr1\t8\t.\tA\tC\t.\tPASS\t.\tGT\t0/1\t1|1\nchr1\t9\t.\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/1\nchr1\t10\t.\tAT\tA\t.\tPASS\t.\tGT\t1/1\t.",
    b"5chr1\t11\t.\tR\tA\t.\tPASS\tANN=%25%E2%82%AC\tGT:DP\t0/1:12",
]


def record_seeds():
    for i, r in enumerate(RECORDS):
        write("FuzzVCFRecord", f"handmade{i}", r)
    for rel in VCF_FILES:
        data = open(os.path.join(SRC, rel), "rb").read()
        base = os.path.basename(rel).removesuffix(".vcf")
        lines = data.split(b"\n")
        version = lines[0]
        column_line = next((l for l in lines if l.startswith(b"#CHROM")), b"")
        n = min(max(len(column_line.split(b"\t")) - 9, 0), 2)
        config = (b"0"[0] + n + (4 if b"4.3" in version else 0))
        body = [l for l in lines if l and not l.startswith(b"#")]
        seen = set()
        picked = []
        for line in body:
            fitted = fit_samples(line, n)
            if fitted is None:
                continue
            shape = (fitted.split(b"\t")[4], fitted.split(b"\t")[7][:12], fitted.split(b"\t")[8:9] if n else b"")
            if repr(shape) in seen:
                continue
            seen.add(repr(shape))
            picked.append(fitted)
        for j, line in enumerate(picked[:4]):
            write("FuzzVCFRecord", f"{base}-{j}", bytes([config]) + line)
        if len(picked) >= 3:
            write("FuzzVCFRecord", f"{base}-lines", bytes([config]) + b"\n".join(picked[:3]))
        # The same lines with no samples, as a sites-only file has them.
        if n and picked:
            write("FuzzVCFRecord", f"{base}-sites", b"4" + fit_samples(picked[0], 0))


# ---- FuzzBGZFBlock: real blocks cut from PharmCAT's bgzipped files, the EOF block, and made-up blocks.

EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def blocks(data):
    offset = 0
    while offset + 18 <= len(data) and data[offset : offset + 2] == b"\x1f\x8b":
        xlen = struct.unpack("<H", data[offset + 10 : offset + 12])[0]
        p, size = 12, None
        while p + 4 <= 12 + xlen:
            slen = struct.unpack("<H", data[offset + p + 2 : offset + p + 4])[0]
            if data[offset + p : offset + p + 2] == b"BC":
                size = struct.unpack("<H", data[offset + p + 4 : offset + p + 6])[0] + 1
            p += 4 + slen
        if size is None:
            return
        yield data[offset : offset + size]
        offset += size


def make_block(payload, level=6, extra_first=b""):
    """A BGZF block holding `payload`; `extra_first` is a subfield placed before BC."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    cdata = compressor.compress(payload) + compressor.flush()
    extra = extra_first + b"BC" + struct.pack("<HH", 2, 0)
    size = 12 + len(extra) + len(cdata) + 8
    extra = extra_first + b"BC" + struct.pack("<HH", 2, size - 1)
    header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + struct.pack("<H", len(extra)) + extra
    return header + cdata + struct.pack("<II", zlib.crc32(payload), len(payload))


def bgzf_seeds():
    write("FuzzBGZFBlock", "eof", EOF_BLOCK)
    for rel in BGZF_FILES:
        data = open(os.path.join(SRC, rel), "rb").read()
        base = os.path.basename(rel)
        all_blocks = list(blocks(data))
        for j, block in enumerate(all_blocks[:2]):
            if len(block) <= MAX_LEN:
                write("FuzzBGZFBlock", f"{base}-block{j}", block)
        if len(data) <= MAX_LEN:
            write("FuzzBGZFBlock", f"{base}-whole", data)
    text = open(os.path.join(SRC, "preprocessor/test_gvcf_block.vcf"), "rb").read()
    write("FuzzBGZFBlock", "made-stored", make_block(text, level=0))
    write("FuzzBGZFBlock", "made-level9", make_block(text * 4, level=9))
    write("FuzzBGZFBlock", "made-extra-before-bc", make_block(text, extra_first=b"XY" + struct.pack("<H", 3) + b"abc"))
    write("FuzzBGZFBlock", "made-two-blocks", make_block(text[:100]) + make_block(text[100:]) + EOF_BLOCK)
    write("FuzzBGZFBlock", "made-empty-payload", make_block(b""))
    # Plain gzip (no BC subfield): container(of:) must call it gzip, blockSize must throw.
    write("FuzzBGZFBlock", "made-plain-gzip", gzip.compress(text, mtime=0))


if __name__ == "__main__":
    header_seeds()
    record_seeds()
    bgzf_seeds()
