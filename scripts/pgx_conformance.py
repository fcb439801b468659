#!/usr/bin/env python3
"""Measure how far `tailor pgx --json` agrees with PharmCAT's own test expectations.

Usage: pgx_conformance.py --tailor PATH [--data DIR] [--verbose] [--json-out FILE]

DIR defaults to ../shared/data/pharmcat relative to the repository root (this script's parent's parent), so CI
can run `scripts/pgx_conformance.py --tailor .build/release/tailor` from the repository root.

Two sources of expectations, both under DIR/tests (see DIR/SOURCE.md):

1. expected_from_java_tests.json: 323 PharmCAT JUnit cases, extracted by regex (heuristically). For every case with
   a usable VCF (its `generatedVcf`, or a `vcfResources` entry that resolves to a file under tests/) tailor runs once
   per VCF (with `--outside-calls FILE` when the case has outside-call lines and tailor supports the flag), and each
   expectation kind we can evaluate is checked:
     matcherDiplotypes      gene's `diplotypes` as a set (PharmCAT's matcher calls). When the matcher ran with
                            topCandidateOnly=false and lists several diplotypes, the list is *every* candidate in score
                            order while tailor reports only the top-score ties: such cases are tallied separately as
                            "matcherDiplotypes (all candidates)" and pass when tailor's calls are a non-empty subset.
     calledByMatcher        gene `called` is true and `outside_call` is not
     notCalledByMatcher     gene absent, or `called` false, or `outside_call` true
     printCalls             set of gene `print_calls` (PharmCAT compares lists; order is not scored here)
     sourceDiplotypes       set of gene `diplotypes` (or `print_calls` when tailor gives a variant list, no diplotype)
     recommendedDiplotypes  one of gene `recommendation_diplotypes` has exactly the expected haplotypes (any order)
     lookupActivityScore    every gene `lookup_keys` entry equals the expected score
     reportable             gene has `recommendation_diplotypes` or `lookup_keys`
     matchedAnnotations     number of `recommendations` for drug+source (source null = all sources: only scored when
                            the drug has no FDA annotation at all, per docs/drugs_by_source.tsv, or the count is 0)
     anyMatchFromSource / noMatchFromSource
   FDA sources are not in tailor's pack: those expectations are skipped. Cases run in a PharmCAT research mode
   (findCombinations, allMatches, callCyp2d6) or with custom definition files are evaluated but tallied apart, so
   they do not count in the main figure. Expectations judged mis-extracted are excluded with a reason (automatic
   rules in `exclusion_reason`, explicit entries in EXCLUDED); CYP2D6 outside calls that PharmCAT's tests write in
   @BeforeAll are reconstructed (BEFOREALL_OUTSIDE_CALLS).

2. tests/haplotype/<GENE>/*.vcf whose file names encode the expected diplotype (s1s17 = *1/*17, s3as3b = *3A/*3B,
   refref = *1/*1, rs12979860CT, -1639G-1639A, ...). Only names that decode unambiguously to current allele names are
   scored (see decode_haplotype_name); a file passes when the decoded diplotype is among tailor's calls (the file name
   names one diplotype; on unphased data PharmCAT itself may report it together with equally good ones). The rest,
   and names that are a lower-scoring candidate rather than PharmCAT's call (HAPLOTYPE_EXCLUDED), are listed as
   undecodable with --verbose.

Tailor's JSON fields that are missing from the binary under test count as failures of the kinds that need them
("not implemented"), and the summary says which. A run that exits non-zero with a one-line error counts as "no
result" for that VCF; a crash (signal, stack trace, timeout, or unreadable JSON on success) is listed prominently and
makes the script exit 2. Otherwise the exit status is 0 even with failures: this is a measurement.

The last line is always `pgx-conformance: N passed, N failed, N skipped` (main figure: source 1 outside research and
custom-definition cases, plus source 2; skipped = main-figure expectations not scored plus undecodable file names).

Python 3.11 standard library only.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RUN_TIMEOUT_S = 120
MAX_PARALLEL = 2

SOURCE_MAP = {"CPIC_GUIDELINE": "CPIC", "DPWG_GUIDELINE": "DPWG"}
FDA_SOURCES = {"FDA_LABEL", "FDA_ASSOC"}

# PharmCAT tests that write their outside-call file in @BeforeAll (not captured by the extractor). A case of these
# classes with no captured outside-call lines whose expectations print this CYP2D6 call used that file.
# PipelineTest.prepare(): outsideCall.tsv = CYP2D6 *1/*4; otherOutsideCall.tsv = CYP2D6 *3/*4 + G6PD B/B.
# Cyp2d6Test.prepare(): outsideCall.tsv = CYP2D6 *1/*4.
BEFOREALL_OUTSIDE_CALLS = {
    ("PipelineTest", "*1/*4"): ["CYP2D6\t*1/*4"],
    ("PipelineTest", "*3/*4"): ["CYP2D6\t*3/*4", "G6PD\tB (wildtype)/B (wildtype)"],
    ("Cyp2d6Test", "*1/*4"): ["CYP2D6\t*1/*4"],
}

# Expectations judged mis-extracted after reading the case, its VCF and PharmCAT's Java test, one reason each.
# Key: (TestClass.test, kind, gene-or-drug or None for any, values as JSON or None for any).
EXCLUDED = {
    ("DpydTest.testDpydDifferenceOnScore", "printCalls", "DPYD", json.dumps(["c.2846A>T (heterozygous)"])):
        "the test runs the pipeline twice (het, then hom rs67376798); the generated VCF is the second (hom) run",
    ("DpydTest.testDpydDifferenceOnScore", "recommendedDiplotypes", "DPYD", json.dumps(["Reference", "c.2846A>T"])):
        "the test runs the pipeline twice (het, then hom rs67376798); the generated VCF is the second (hom) run",
    ("Ryr1Test.cacna1sMissing_ryr1Het4", "recommendedDiplotypes", "RYR1", None):
        "knowledge-version gap: c.14918C>T is malignant-hyperthermia associated in PharmCAT's 2025 RYR1 table, which "
        "is not in the snapshot; the pack's 2023 fallback table lacks it, so it cannot be ranked as lowest function",
    ("Ryr1Test.cacna1sMissing_ryr1Het", "sourceDiplotypes", "RYR1", None):
        "Java expects [Reference/c.7522C>T] (or CPIC style [c.7522C>T (heterozygous)]); the extractor dropped "
        "TextConstants.REFERENCE + GENOTYPE_DELIMITER and kept 'c.7522C>T'",
}

# Oddities that do not change the outcome: shown with --verbose and attached to the case's records.
NOTES = {
    "PipelineTest.testUgt1a1Unphased": "named 'Unphased' but extracted with the 'phased' builder flag (VCF is 0|1); "
                                       "a single het is effectively phased, so the expectation stands",
}

# Cases whose extracted `outsideCallLines` are not outside calls (the extractor caught another TSV the test writes).
NOT_OUTSIDE_CALLS = {
    "CallsOnlyFormatTest.withSampleData": "sample-metadata TSV (sample, key, value) given with -sm, not outside calls",
}

# Haplotype files whose name decodes, but names a lower-scoring candidate rather than PharmCAT's call for the same
# genotypes (PharmCAT keeps only the top score; scores = number of defined positions), one reason each.
HAPLOTYPE_EXCLUDED = {
    "tests/haplotype/TPMT/s3bs3c.vcf":
        "unphased rs1800460/rs1142345 hets: *1/*3A outscores *3B/*3C; NamedAlleleMatcherTpmtTest lists both as "
        "candidates, *1/*3A first",
    "tests/haplotype/SLCO1B1/SLCO1B1_s19_s37_t1.vcf":
        "unphased rs2306283/rs34671512 hets: *1/*20 (*20 = both variants) outscores *19/*37",
}

# stderr text that means a crash rather than a handled error (matched case-sensitively)
STACK_MARKERS = ("Fatal error", "Stack dump", "Current stack trace", "stack trace:", "Segmentation fault",
                 "Illegal instruction", "Trace/breakpoint trap", "Aborted (core dumped)", "Assertion failed",
                 "Program crashed")


# ----------------------------------------------------------------------------------------------------------------
# tailor runs


class Runner:
    def __init__(self, tailor, tmpdir):
        self.tailor = tailor
        self.tmpdir = tmpdir
        self.cache = {}
        help_text = self._help()
        self.has_outside_calls = "--outside-calls" in help_text
        self.has_threads = "--threads" in help_text

    def _help(self):
        try:
            p = subprocess.run([self.tailor, "pgx", "--help"], capture_output=True, text=True, timeout=60)
        except OSError as e:
            usage_error(f"cannot run {self.tailor}: {e}")
        except subprocess.TimeoutExpired:
            usage_error(f"{self.tailor} pgx --help did not finish in 60 s")
        if p.returncode != 0:
            usage_error(f"{self.tailor} pgx --help failed (exit {p.returncode}): {p.stderr.strip()[:300]}")
        return p.stdout + p.stderr

    def key(self, vcf, outside_lines):
        lines = tuple(outside_lines) if (outside_lines and self.has_outside_calls) else ()
        return (str(vcf), lines)

    def run_all(self, keys):
        todo = [k for k in dict.fromkeys(keys) if k not in self.cache]
        with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_PARALLEL) as pool:
            for k, result in zip(todo, pool.map(self._run, todo)):
                self.cache[k] = result

    def _run(self, key):
        vcf, lines = key
        cmd = [self.tailor, "pgx", "--json", vcf]
        if self.has_threads:
            cmd += ["--threads", "1"]
        if lines:
            fd, path = tempfile.mkstemp(suffix=".tsv", dir=self.tmpdir)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            cmd += ["--outside-calls", path]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return {"status": "crash", "detail": f"timed out after {RUN_TIMEOUT_S} s", "cmd": cmd}
        stderr = p.stderr.strip()
        if p.returncode == 0:
            try:
                doc = json.loads(p.stdout)
                if not isinstance(doc, list):
                    raise ValueError("top level is not an array")
            except ValueError as e:
                return {"status": "crash", "detail": f"exit 0 but output is not a JSON array ({e})", "cmd": cmd}
            return {"status": "ok", "samples": doc, "cmd": cmd}
        lines_err = [l for l in stderr.splitlines() if l.strip()]
        crashed = (p.returncode < 0 or p.returncode >= 128 or not lines_err
                   or any(m in stderr for m in STACK_MARKERS))
        if crashed:
            why = f"signal {-p.returncode}" if p.returncode < 0 else f"exit {p.returncode}"
            return {"status": "crash", "detail": f"{why}: {' | '.join(lines_err[:6])[:600] or '(no stderr)'}",
                    "cmd": cmd}
        return {"status": "error", "detail": f"exit {p.returncode}: {lines_err[0][:300]}"
                + (f" (+{len(lines_err) - 1} more stderr lines)" if len(lines_err) > 1 else ""), "cmd": cmd}


def usage_error(msg):
    print(f"pgx_conformance: {msg}", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------------------------------------------------------
# helpers


def strip_hom(s):
    s = s.strip()
    return s[: -len(" (homozygous)")] if s.endswith(" (homozygous)") else s


def split_dip(s):
    """The haplotypes of a diplotype string ('[c.97A>G + c.152C>A]/c.418G>A' has two); one item if not 'A/B'."""
    s = strip_hom(s)
    depth, cut = 0, []
    for i, ch in enumerate(s):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "/" and depth == 0:
            cut.append(i)
    if len(cut) != 1:
        return [s]
    return [s[: cut[0]].strip(), s[cut[0] + 1:].strip()]


def norm_dip(s):
    """A diplotype string with its two haplotypes in a canonical order ('*17/*4' == '*4/*17')."""
    return "/".join(sorted(split_dip(s), key=allele_sort_key))


def allele_sort_key(a):
    m = re.match(r"\*(\d+)(.*)$", a)
    return (0, int(m.group(1)), m.group(2)) if m else (1, 0, a)


def haplotypes_of(dip):
    return collections.Counter(split_dip(dip))


def short(v, n=160):
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    return s if len(s) <= n else s[: n - 3] + "..."


def same_number(a, b):
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


# ----------------------------------------------------------------------------------------------------------------
# source 1: expected_from_java_tests.json


def case_id(case):
    return Path(case["source"]).stem + "." + case["test"]


def case_bucket(case):
    mode = case.get("mode") or {}
    pipeline = mode.get("pipeline") or {}
    matcher = mode.get("matcher") or {}
    flags = [k for k in ("findCombinations", "allMatches", "callCyp2d6") if pipeline.get(k)]
    if matcher.get("findCombinations"):
        flags.append("matcher.findCombinations")
    if case.get("customDefinitions"):
        return "custom", "custom definition files"
    if flags:
        return "research", "research mode: " + ",".join(flags)
    return "main", ""


def resolve_vcfs(case, data, tests):
    if case.get("generatedVcf"):
        p = data / case["generatedVcf"]
        return [p] if p.is_file() else []
    found = []
    for res in case.get("vcfResources") or []:
        rel = res.split("org/pharmgkb/pharmcat/", 1)[-1]
        p = tests / rel
        if p.is_file():
            found.append(p)
            continue
        hits = [q for q in tests.rglob(Path(rel).name) if q.is_file()]
        if len(hits) == 1:
            found.append(hits[0])
    return found


def outside_lines_of(case):
    lines = []
    for block in case.get("outsideCallLines") or []:
        for line in block.split("\n"):
            line = line.lstrip(" ").rstrip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def reconstructed_outside_lines(case):
    cls = Path(case["source"]).stem
    for e in case["expectations"]:
        if e["kind"] == "printCalls" and e.get("gene") == "CYP2D6" and len(e.get("values") or []) == 1:
            lines = BEFOREALL_OUTSIDE_CALLS.get((cls, e["values"][0]))
            if lines:
                return lines
    return None


def explode(case):
    """One record per scorable unit: gene lists are split per gene; identical duplicates are dropped."""
    out, seen = [], set()
    for e in case["expectations"]:
        kind = e["kind"]
        if kind in ("calledByMatcher", "notCalledByMatcher", "reportable"):
            genes = e.get("genes") or [None]
            for g in genes:
                rec = {"kind": kind, "gene": g, "empty_list": not e.get("genes")}
                k = (kind, g)
                if k not in seen:
                    seen.add(k)
                    out.append(rec)
        else:
            rec = dict(e)
            k = json.dumps(rec, sort_keys=True)
            if k not in seen:
                seen.add(k)
                out.append(rec)
    return out


def explicit_exclusion(cid, e):
    who = e.get("gene") or e.get("drug")
    for (ecid, ekind, ewho, evals), reason in EXCLUDED.items():
        if ecid == cid and (ekind is None or ekind == e["kind"]) and (ewho is None or ewho == who) \
                and (evals is None or evals == json.dumps(e.get("values"))):
            return reason if reason.startswith("knowledge-version gap") else "mis-extracted: " + reason
    return None


def exclusion_reason(cid, e, all_recs):
    kind = e["kind"]
    who = e.get("gene") or e.get("drug")
    vals = e.get("values")
    why = explicit_exclusion(cid, e)
    if why:
        return why
    all_recs = [r for r in all_recs if explicit_exclusion(cid, r) is None]
    if vals is not None and any("<unresolved" in str(v) for v in vals):
        return "mis-extracted: value is an unresolved Java expression " + short(vals, 60)
    if kind in ("calledByMatcher", "notCalledByMatcher", "reportable") and e.get("empty_list"):
        return "mis-extracted: gene list is a Java variable the extractor could not resolve (empty)"
    if kind == "recommendedDiplotypes" and len(vals) not in (2,):
        return ("mis-extracted: testRecommendedDiplotypes takes 1-2 haplotypes; got %d (a TextConstants or "
                "helper-call argument was dropped)" % len(vals))
    if kind in ("printCalls", "sourceDiplotypes") and not vals:
        return ("mis-extracted: empty list (the Java argument was a constant such as "
                "TextConstants.HOMOZYGOUS_REFERENCE or a variable)")
    if kind == "matcherDiplotypes" and not e.get("gene"):
        return "no gene (unit test on synthetic data)"
    # contradictory expectations in one case = several pipeline runs in one test; the VCF is only one of them
    if kind in ("printCalls", "sourceDiplotypes", "matcherDiplotypes"):
        others = {json.dumps(r.get("values")) for r in all_recs if r["kind"] == kind and r.get("gene") == who}
        if len(others) > 1:
            return "mis-extracted: several runs in one test give different %s for %s" % (kind, who)
    if kind in ("calledByMatcher", "notCalledByMatcher"):
        opposite = "notCalledByMatcher" if kind == "calledByMatcher" else "calledByMatcher"
        if any(r["kind"] == opposite and r.get("gene") == who for r in all_recs):
            return "mis-extracted: the test asserts both called and not called for %s (several runs)" % who
    return None


class Missing(Exception):
    """A field of tailor's JSON contract is absent (not implemented yet)."""


def need(obj, field):
    if field not in obj:
        raise Missing(field)
    return obj[field]


def evaluate(e, sample, case):
    """Returns (ok, expected, got, reason) for one expectation against one sample's output."""
    kind = e["kind"]
    genes = {g.get("gene"): g for g in sample.get("genes") or []}
    g = genes.get(e.get("gene")) if e.get("gene") else None

    if kind == "matcherDiplotypes":
        exp = e["values"]
        got = [norm_dip(d) for d in (g or {}).get("diplotypes", [])] if g else []
        want = {norm_dip(d) for d in exp}
        if set(got) == want:
            return True, exp, got, ""
        matcher = (case.get("mode") or {}).get("matcher") or {}
        if len(exp) > 1 and matcher.get("topCandidateOnly") is False and got and set(got) <= want:
            return True, exp, got, "top ties of the candidate list"
        return False, exp, got, "different diplotypes" if got else "not called"

    if kind == "calledByMatcher":
        if g is None:
            return False, "called", "gene absent", "gene absent from output"
        called = need(g, "called")
        ok = bool(called) and not g.get("outside_call", False)
        got = f"called={called} outside_call={g.get('outside_call')}"
        return ok, "called by matcher", got, "" if ok else "not called"

    if kind == "notCalledByMatcher":
        if g is None:
            return True, "not called", "gene absent", ""
        if g.get("outside_call"):
            return True, "not called", "outside call", ""
        called = need(g, "called")
        return (not called), "not called by matcher", f"called={called} diplotypes={g.get('diplotypes')}", \
            "" if not called else "called"

    if kind == "reportable":
        if g is None:
            return False, "reportable", "gene absent", "gene absent from output"
        if "recommendation_diplotypes" not in g and "lookup_keys" not in g:
            raise Missing("recommendation_diplotypes/lookup_keys")
        ok = bool(g.get("recommendation_diplotypes")) or bool(g.get("lookup_keys"))
        return ok, "reportable", {k: g.get(k) for k in ("recommendation_diplotypes", "lookup_keys")}, \
            "" if ok else "no lookup diplotype/key"

    if kind == "printCalls":
        exp = e["values"]
        if g is None:
            return False, exp, "gene absent", "gene absent from output"
        got = need(g, "print_calls")
        ok = {norm_dip(x) for x in got} == {norm_dip(x) for x in exp}
        return ok, exp, got, "" if ok else ("no print call" if not got else "different print calls")

    if kind == "sourceDiplotypes":
        exp = e["values"]
        if g is None:
            return False, exp, "gene absent", "gene absent from output"
        # PharmCAT's source diplotypes; for DPYD/RYR1 without phase they are a variant list, which tailor gives in
        # print_calls (its `diplotypes` holds only diplotypes)
        got = g.get("diplotypes") or g.get("print_calls") or []
        gotset = {norm_dip(x) for x in got}
        alts = [exp]
        # testSourceDiplotypes(source, gene, calls, cpicStyleCalls): the extractor flattened both lists
        het = [x for x in exp if x.endswith(" (heterozygous)")]
        if het and len(het) < len(exp):
            alts = [[x for x in exp if x not in het], het]
        printed = {norm_dip(x) for x in g.get("print_calls") or []}
        # PharmCAT asserts the plain list and, for CACNA1S/CFTR/DPYD/RYR1, the CPIC-style one (tailor's print_calls)
        ok = any(gotset == {norm_dip(x) for x in alt} or printed == {norm_dip(x) for x in alt} for alt in alts)
        if ok:
            return True, exp, got, ""
        if got:
            return False, exp, got, "different diplotypes"
        return False, exp, got, "no diplotype" + ("" if "print_calls" in g else " (no 'print_calls' field)")

    if kind == "recommendedDiplotypes":
        exp = e["values"]
        if g is None:
            return False, exp, "gene absent", "gene absent from output"
        got = need(g, "recommendation_diplotypes")
        want = collections.Counter(strip_hom(x) for x in exp)
        ok = any(haplotypes_of(d) == want for d in got)
        why = "" if ok else ("no lookup diplotype" if not got else "different lookup diplotype")
        return ok, "/".join(exp), got, why

    if kind == "lookupActivityScore":
        exp = e["values"][0]
        if g is None:
            return False, exp, "gene absent", "gene absent from output"
        got = need(g, "lookup_keys")
        ok = bool(got) and all(same_number(k, exp) for k in got)
        return ok, exp, got, "" if ok else "different lookup key"

    if kind in ("matchedAnnotations", "anyMatchFromSource", "noMatchFromSource"):
        drugs = need(sample, "drugs")
        drug = e["drug"].lower()
        src = e.get("source")
        sources = [SOURCE_MAP[src]] if src else ["CPIC", "DPWG"]
        n = sum(len(d.get("recommendations") or []) for d in drugs
                if str(d.get("drug", "")).lower() == drug and d.get("source") in sources)
        if kind == "matchedAnnotations":
            ok = n == e["count"]
            return ok, e["count"], n, "" if ok else ("no recommendation" if n == 0 else "different count")
        if kind == "anyMatchFromSource":
            return n > 0, "any match", n, "" if n > 0 else "no recommendation"
        return n == 0, "no match", n, "" if n == 0 else "unexpected recommendation"

    raise ValueError(kind)


def load_guideline_genes(data):
    """(source, drug) -> genes of the pack's guideline files for it (the v2.12.0 files Tailor's pgx pack carries)."""
    out = collections.defaultdict(set)
    folder = data / "reporter" / "guidelines_v2.12.0"
    for path in sorted(folder.glob("*.json")):
        g = json.loads(path.read_text(encoding="utf-8"))["guideline"]
        genes = {x["symbol"] for x in g.get("relatedGenes") or []}
        for chem in g.get("relatedChemicals") or []:
            out[(g["source"], chem["name"].lower())] |= genes
    return out


# Knowledge-version gaps: PharmCAT's tests assert v3.1 data (guidelines of 2025-11); the pack carries the v2.12.0
# guideline files (2024-03), and older CYP2D6/G6PD/RYR1 phenotype tables. An expectation that only the newer data
# can meet is reported as a gap (skipped with the reason), never as a pass.
def knowledge_gap(e, sample, guideline_genes):
    """Why a failed expectation needs guideline data the pack does not have, or None (a real failure)."""
    kind = e["kind"]
    if kind == "matchedAnnotations" and e.get("source") is None:
        # all sources: a gap when one of CPIC/DPWG has a guideline for the drug in 2025 but not in the pack
        n = sum(len(d.get("recommendations") or []) for d in sample.get("drugs") or [] if d.get("drug", "").lower() == e["drug"].lower())
        lacking = [src for src in ("CPIC", "DPWG") if not guideline_genes.get((src, e["drug"].lower()))]
        if n < e["count"] and lacking:
            return f"knowledge-version gap: the pack's 2024 data has no {' or '.join(lacking)} guideline for {e['drug']}"
        return None
    if kind in ("matchedAnnotations", "anyMatchFromSource"):
        source = SOURCE_MAP.get(e.get("source"))
        if source is None:
            return None
        genes = guideline_genes.get((source, e["drug"].lower()))
        if not genes:
            return f"knowledge-version gap: the pack's 2024 data has no {source} guideline for {e['drug']}"
        called = {g["gene"] for g in sample.get("genes") or [] if g.get("lookup_keys")}
        if not genes & called:
            return (f"knowledge-version gap: the pack's {source} {e['drug']} guideline uses {', '.join(sorted(genes))}, "
                    "none called here; PharmCAT's 2025 data also keys it on other genes")
    return None


def skip_reason_for_kind(e, fda_flags):
    kind = e["kind"]
    if kind in ("matchedAnnotations", "anyMatchFromSource", "noMatchFromSource"):
        src = e.get("source")
        if src in FDA_SOURCES:
            return "FDA source not in tailor's pack"
        if src is None:
            if kind != "matchedAnnotations":
                return "no source given"
            flags = fda_flags.get(e["drug"].lower())
            if e["count"] != 0 and (flags is None or flags):
                return ("all sources incl. FDA (not in tailor's pack)" if flags else
                        "all sources; drug not in docs/drugs_by_source.tsv")
        elif src not in SOURCE_MAP:
            return f"unknown source {src}"
    return None


def load_fda_flags(data):
    flags = {}
    p = data / "docs" / "drugs_by_source.tsv"
    if p.is_file():
        rows = p.read_text(encoding="utf-8").splitlines()
        head = rows[0].split("\t")
        for row in rows[1:]:
            cols = dict(zip(head, row.split("\t")))
            flags[cols["drug"].lower()] = cols.get("FDA_label") == "1" or cols.get("FDA_PGx_association") == "1"
    return flags


# ----------------------------------------------------------------------------------------------------------------
# source 2: haplotype file names


FOLDER_GENE = {"cyp2c19": "CYP2C19", "cyp2c9": "CYP2C9", "cyp3a5": "CYP3A5", "cyp4f2": "CYP4F2"}


def allele_names(data, gene):
    p = data / "definition" / "alleles" / f"{gene}_translation.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    names = [a["name"] for a in d["namedAlleles"]]
    ref = next((a["name"] for a in d["namedAlleles"] if a.get("reference")), names[0])
    return names, ref


def decode_haplotype_name(gene, stem, names, ref):
    """(expected diplotype or '' for 'no call', None) or (None, why undecodable)."""
    lower = {n.lower(): n for n in names}
    if gene == "IFNL3" or gene == "VKORC1":
        if gene == "IFNL3":
            m = re.fullmatch(r"rs12979860([ACGT])([ACGT])", stem)
            base = {}
            for n in names:
                b = re.search(r"\(([ACGT])\)$", n)
                if b:
                    base[b.group(1)] = n
            if not m or any(x not in base for x in m.groups()):
                return None, "not rs12979860XY"
            return norm_dip(base[m.group(1)] + "/" + base[m.group(2)]), None
        # VKORC1 c.-1639G>A is rs9923231 C>T on the genomic (+) strand: G = reference, A = variant
        m = re.fullmatch(r"-1639([GA])-1639([GA])", stem)
        if not m:
            return None, "not -1639X-1639Y"
        pick = {"G": next(n for n in names if "reference" in n), "A": next(n for n in names if "variant" in n)}
        return norm_dip(pick[m.group(1)] + "/" + pick[m.group(2)]), None
    if gene == "DPYD":
        if stem == "novariant":
            return f"{ref}/{ref}", None
        m = re.fullmatch(r"c(\d+(?:[-+]\d+)?)het", stem)
        if m:
            hits = [n for n in names if re.match(r"c\.%s[ACGT]" % re.escape(m.group(1)), n)]
            if len(hits) == 1:
                return norm_dip(f"{ref}/{hits[0]}"), None
            return None, f"c.{m.group(1)} matches {len(hits)} DPYD alleles"
        if re.fullmatch(r"(c\d+(?:[-+]\d+)?){2,}", stem):
            return None, "two DPYD variants without phase: PharmCAT lists variants, no diplotype"
        return None, "not novariant, c<N>het or c<N>c<M>"
    if gene == "CYP2C19" and stem == "noCall":
        return "", None
    s = stem
    if gene == "SLCO1B1":
        s = re.sub(r"^SLCO1B1_", "", s)
        s = re.sub(r"_t1$", "", s)
        s = s.replace("_", "")
    if gene == "UGT1A1":
        # UGT1A1 file names list the variants present; *80/*60 combine with *28/*37 on one strand (*80+*28)
        if re.search(r"s(60|80)", s):
            return None, "names variants present (*60/*80 combine with *28/*37 on one strand)"
        s = re.sub(r"(un)?phased$", "", s)
    m = re.fullmatch(r"(s\d+[a-z]?|ref)(s\d+[a-z]?|ref)", s, re.IGNORECASE)
    if not m:
        return None, "not of the form s<A>s<B>"
    out = []
    for tok in m.groups():
        if tok.lower() == "ref":
            out.append(ref)
            continue
        name = lower.get("*" + tok[1:].lower())
        if name is None:
            return None, f"*{tok[1:]} is not a current {gene} allele"
        out.append(name)
    return norm_dip("/".join(out)), None


def haplotype_files(data):
    hap = data / "tests" / "haplotype"
    items = []
    for folder in sorted(p for p in hap.iterdir() if p.is_dir()):
        gene = FOLDER_GENE.get(folder.name, folder.name.upper())
        try:
            names, ref = allele_names(data, gene)
        except OSError:
            names, ref = None, None
        for vcf in sorted(folder.glob("*.vcf")):
            if names is None:
                items.append((gene, vcf, None, f"no definition file for {gene}"))
                continue
            exp, why = decode_haplotype_name(gene, vcf.stem, names, ref)
            excluded = HAPLOTYPE_EXCLUDED.get(str(vcf.relative_to(data)))
            if exp is not None and excluded:
                exp, why = None, "name is not PharmCAT's call: " + excluded
            items.append((gene, vcf, exp, why))
    return items


def equivalent(gene, a, b):
    """File names predate PharmVar's 2022 CYP2C19 split: their *1 is today's *1 or *38."""
    if a == b:
        return True
    if gene != "CYP2C19":
        return False
    alt = lambda d: {norm_dip(d.replace("*38", "*1"))}
    return alt(a) == alt(b)


# ----------------------------------------------------------------------------------------------------------------


def main():
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tailor", required=True, help="the tailor binary")
    ap.add_argument("--data", default=str(root.parent / "shared" / "data" / "pharmcat"),
                    help="PharmCAT data snapshot (default: ../shared/data/pharmcat from the repository root)")
    ap.add_argument("--verbose", action="store_true", help="every failure, exclusion and undecodable file name")
    ap.add_argument("--json-out", metavar="FILE", help="write every scored expectation as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 when the main figure has any failure (CI's regression gate)")
    args = ap.parse_args()

    tailor = os.path.abspath(args.tailor)
    if not (os.path.isfile(tailor) and os.access(tailor, os.X_OK)):
        usage_error(f"--tailor {args.tailor}: not an executable file")
    data = Path(args.data).resolve()
    tests = data / "tests"
    expected_path = tests / "expected_from_java_tests.json"
    if not expected_path.is_file():
        usage_error(f"--data {args.data}: {expected_path} not found")

    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    fda_flags = load_fda_flags(data)
    guideline_genes = load_guideline_genes(data)

    with tempfile.TemporaryDirectory(prefix="pgx-conformance-") as tmp:
        runner = Runner(tailor, tmp)

        # plan source 1
        plans = []
        for case in expected["cases"]:
            cid = case_id(case)
            bucket, bucket_reason = case_bucket(case)
            vcfs = resolve_vcfs(case, data, tests)
            lines = [] if cid in NOT_OUTSIDE_CALLS else outside_lines_of(case)
            note = NOTES.get(cid, "")
            if not lines:
                rec = reconstructed_outside_lines(case)
                if rec:
                    lines = rec
                    note = "; ".join(x for x in (note, "outside call reconstructed from the test's @BeforeAll") if x)
            keys = [runner.key(v, lines) for v in vcfs]
            plans.append((case, cid, bucket, bucket_reason, vcfs, lines, note, keys))
        haps = haplotype_files(data)

        all_keys = [k for p in plans for k in p[7]] + [runner.key(v, None) for _, v, _, _ in haps]
        runner.run_all(all_keys)

    # evaluate source 1
    records = []
    cases_with_vcf = 0
    for case, cid, bucket, bucket_reason, vcfs, lines, note, keys in plans:
        recs = explode(case)
        if vcfs:
            cases_with_vcf += 1
        for e in recs:
            r = {"source": "java", "case": cid, "bucket": bucket, "kind": e["kind"],
                 "gene": e.get("gene"), "drug": e.get("drug"), "src": e.get("source"),
                 "vcf": str(vcfs[0].relative_to(data)) if len(vcfs) == 1 else None, "note": note,
                 "mode": bucket_reason}
            kind_label = e["kind"]
            if e["kind"] == "matcherDiplotypes":
                matcher = (case.get("mode") or {}).get("matcher") or {}
                if matcher.get("topCandidateOnly") is False and len(e.get("values") or []) > 1:
                    kind_label = "matcherDiplotypes (all candidates)"
            r["kind_label"] = kind_label
            why = exclusion_reason(cid, e, recs)
            if why is None and not vcfs:
                why = "no usable VCF (builder-only or unresolvable resource)"
            if why is None and len(vcfs) > 1:
                why = "several input VCFs"
            if why is None:
                why = skip_reason_for_kind(e, fda_flags)
            if why is None and lines and not runner.has_outside_calls:
                r["note"] = (note + "; " if note else "") + "ran without its outside calls (no --outside-calls)"
            if why is not None:
                r.update(status="skipped", reason=why)
                records.append(r)
                continue
            res = runner.cache[keys[0]]
            if res["status"] != "ok":
                r.update(status="failed", reason=("tailor crashed" if res["status"] == "crash" else
                                                  "tailor gave no result") + f" ({res['detail'][:120]})",
                         expected=e.get("values", e.get("count")), got=None)
                records.append(r)
                continue
            samples = res["samples"]
            if not samples:
                r.update(status="failed", reason="tailor output has no sample", expected=None, got=None)
                records.append(r)
                continue
            try:
                ok, exp, got, reason = evaluate(e, samples[0], case)
                gap = None if ok else knowledge_gap(e, samples[0], guideline_genes)
                if gap:
                    r.update(status="skipped", reason=gap, expected=exp, got=got)
                else:
                    r.update(status="passed" if ok else "failed", reason=reason, expected=exp, got=got)
            except Missing as m:
                r.update(status="failed", reason=f"field '{m.args[0]}' not implemented", expected=e.get("values"),
                         got=None, missing_field=m.args[0])
            records.append(r)

    # evaluate source 2
    undecodable = []
    for gene, vcf, exp, why in haps:
        rel = str(vcf.relative_to(data))
        r = {"source": "haplotype", "case": rel, "bucket": "main", "kind": "haplotypeFileName",
             "kind_label": "haplotypeFileName", "gene": gene, "vcf": rel, "note": ""}
        if exp is None:
            undecodable.append((rel, why))
            r.update(status="skipped", reason="undecodable file name: " + why)
            records.append(r)
            continue
        res = runner.cache[runner.key(vcf, None)]
        expected_label = exp or "no call"
        if res["status"] != "ok" or not res["samples"]:
            detail = res.get("detail", "no sample")
            r.update(status="failed", expected=expected_label, got=None,
                     reason=("tailor crashed" if res["status"] == "crash" else "tailor gave no result") +
                     f" ({detail[:120]})")
            records.append(r)
            continue
        g = {x.get("gene"): x for x in res["samples"][0].get("genes") or []}.get(gene)
        got = [norm_dip(d) for d in (g or {}).get("diplotypes", [])]
        if exp == "":
            ok = not got
            reason = "" if ok else "called"
        else:
            hit = [d for d in got if equivalent(gene, d, exp)]
            ok = bool(hit)
            reason = ("" if len(got) == 1 else f"one of {len(got)} equally good calls") if ok else \
                ("not called" if not got else "different diplotypes")
        r.update(status="passed" if ok else "failed", expected=expected_label, got=got, reason=reason)
        records.append(r)

    report(records, runner, plans, cases_with_vcf, undecodable, expected, args)


def report(records, runner, plans, cases_with_vcf, undecodable, expected, args):
    data = Path(args.data).resolve()

    def rel(p):
        try:
            return str(Path(p).relative_to(data))
        except ValueError:
            return str(p)

    crashes = sorted({(rel(k[0]), v["detail"]) for k, v in runner.cache.items() if v["status"] == "crash"})
    errors = sorted({(rel(k[0]), v["detail"]) for k, v in runner.cache.items() if v["status"] == "error"})

    def table(title, recs):
        by = collections.OrderedDict()
        for r in recs:
            by.setdefault(r["kind_label"], collections.Counter())[r["status"]] += 1
        print(title)
        print(f"  {'kind':38} {'passed':>7} {'failed':>7} {'skipped':>8}")
        tot = collections.Counter()
        for kind in sorted(by):
            c = by[kind]
            tot.update(c)
            print(f"  {kind:38} {c['passed']:7} {c['failed']:7} {c['skipped']:8}")
        print(f"  {'total':38} {tot['passed']:7} {tot['failed']:7} {tot['skipped']:8}")
        return tot

    if crashes:
        print(f"!!! tailor CRASHED on {len(crashes)} input(s) (a real bug):")
        for vcf, detail in crashes:
            print(f"!!!   {vcf}: {detail}")
        print()

    java = [r for r in records if r["source"] == "java"]
    n_cases = len(expected["cases"])
    print(f"source 1: expected_from_java_tests.json ({n_cases} cases, {cases_with_vcf} with a usable VCF; "
          f"{len(runner.cache)} tailor runs in all)")
    if not runner.has_outside_calls:
        n_oc = sum(1 for p in plans if p[5] and p[4])
        print(f"  note: this tailor has no --outside-calls option; {n_oc} case(s) ran without their outside calls")
    recon = sorted({p[1] for p in plans if "reconstructed" in p[6]})
    if recon:
        print(f"  note: outside calls reconstructed from @BeforeAll for {len(recon)} case(s): {', '.join(recon)}")
    main_tot = table("main (PharmCAT default mode):", [r for r in java if r["bucket"] == "main"])
    allc = [r for r in java if r["bucket"] == "main" and r["kind_label"] == "matcherDiplotypes (all candidates)"
            and r["status"] == "passed"]
    if allc:
        sub = sum(1 for r in allc if r["reason"])
        print(f"  matcherDiplotypes (all candidates): {len(allc) - sub} passed with exactly the candidate list, {sub} "
              f"with tailor's top-score ties, a subset of it")
    table("research modes (findCombinations/allMatches/callCyp2d6; not in the main figure):",
          [r for r in java if r["bucket"] == "research"])
    custom = [r for r in java if r["bucket"] == "custom"]
    if custom:
        table("custom definition files (tailor uses its bundled definitions; not in the main figure):", custom)
    hap = [r for r in records if r["source"] == "haplotype"]
    hap_tot = table("source 2: tests/haplotype/** file names (pass = decoded diplotype among tailor's calls):", hap)
    unique = sum(1 for r in hap if r["status"] == "passed" and not r["reason"])
    print(f"  of the {hap_tot['passed']} passed, {unique} were tailor's only call; "
          f"{len(undecodable)} file names undecodable")

    missing = collections.Counter(r.get("missing_field") for r in records if r.get("missing_field"))
    if missing:
        print("not implemented in this tailor (counted as failures): " +
              ", ".join(f"'{f}' ({n} expectations)" for f, n in missing.most_common()))

    skipped = collections.Counter(r["reason"] for r in java if r["status"] == "skipped" and r["bucket"] == "main")
    if skipped:
        print("main-figure skips by reason:")
        for why, n in sorted(skipped.items(), key=lambda x: (-x[1], x[0])):
            print(f"  {n:4}  {why if args.verbose else short(why, 110)}")

    failed = [r for r in records if r["status"] == "failed"]
    patterns = collections.Counter()
    for r in failed:
        patterns[(r["kind_label"], r.get("gene") or r.get("drug") or "", r["reason"].split(" (")[0])] += 1
    if patterns:
        print("failure patterns (kind, gene/drug, reason):")
        for (kind, who, why), n in patterns.most_common(40 if args.verbose else 20):
            print(f"  {n:4}  {kind} {who}: {why}")

    if args.verbose or len(failed) < 60:
        print(f"failures ({len(failed)}):")
        for r in failed:
            who = r.get("gene") or f"{r.get('drug')}/{r.get('src')}"
            extra = f" [{r['bucket']}]" if r["bucket"] != "main" else ""
            note = f" ({r['note']})" if r.get("note") else ""
            print(f"  FAIL {r['kind_label']}{extra} {r['case']} {who}: expected {short(r.get('expected'))}, "
                  f"got {short(r.get('got'))}; {r['reason']}{note}")
    else:
        print(f"{len(failed)} failures: rerun with --verbose to list them one per line")

    if args.verbose:
        excl = [r for r in java if r["status"] == "skipped" and r["reason"].startswith("mis-extracted")]
        print(f"expectations excluded as mis-extracted ({len(excl)}):")
        for r in excl:
            print(f"  SKIP {r['kind_label']} {r['case']} {r.get('gene') or r.get('drug')}: {r['reason']}")
        print(f"undecodable haplotype file names ({len(undecodable)}):")
        for rel, why in undecodable:
            print(f"  {rel}: {why}")
        if errors:
            print(f"inputs where tailor exited with an error (counted as 'no result') ({len(errors)}):")
            for vcf, detail in errors:
                print(f"  {vcf}: {detail}")
        for cid, why in NOTES.items():
            print(f"note: {cid}: {why}")
        for cid, why in NOT_OUTSIDE_CALLS.items():
            print(f"note: {cid}: its extracted outside-call lines are ignored: {why}")
    elif errors:
        print(f"{len(errors)} input(s) where tailor exited with a one-line error (no result); --verbose lists them")

    if args.json_out:
        summary = {"main": dict(main_tot), "haplotype": dict(hap_tot),
                   "crashes": [{"vcf": v, "detail": d} for v, d in crashes],
                   "errors": [{"vcf": v, "detail": d} for v, d in errors],
                   "not_implemented": dict(missing), "records": records,
                   "undecodable": [{"vcf": v, "why": w} for v, w in undecodable]}
        Path(args.json_out).write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str) + "\n",
                                       encoding="utf-8")

    if crashes:
        print(f"!!! {len(crashes)} crash(es): see the top of this output")
    passed = main_tot["passed"] + hap_tot["passed"]
    failed_n = main_tot["failed"] + hap_tot["failed"]
    skipped_n = main_tot["skipped"] + hap_tot["skipped"]
    print(f"pgx-conformance: {passed} passed, {failed_n} failed, {skipped_n} skipped")
    sys.exit(2 if crashes else 1 if args.strict and failed_n else 0)


if __name__ == "__main__":
    main()
