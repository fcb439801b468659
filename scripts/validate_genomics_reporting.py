#!/usr/bin/env python3
"""Validate a FHIR Genomics Reporting bundle written by Tailor's GenomicsReportingExport.

1. Structural: the Bundle and every entry resource are parsed with the fhir.resources R4B models
   (pydantic; types, required elements, primitive formats).
2. Bundle integrity: type collection, unique urn:uuid fullUrls equal to the resources' ids, every
   urn:uuid reference resolves to an entry.
3. Profile rules: for each resource, the IG profiles in meta.profile are looked up in profile-rules.json
   (machine-extracted STU3 rules) and their fixed codes, top-level cardinalities, value[x] type limits and
   category/component/extension slices (fixed codes, min/max, value types) are checked.

Usage: validate_genomics_reporting.py BUNDLE.json [--rules PROFILE-RULES.json]
Exit status 0 when no problem is found, 1 otherwise (2 for usage errors).
Needs: pip install fhir.resources  (uses fhir.resources.R4B).
"""
import argparse
import json
import os
import sys

DEFAULT_RULES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                                             "fhir-genomics-examples", "profile-rules.json"))


def codings(concept):
    return [(c.get("system"), c.get("code")) for c in (concept or {}).get("coding", [])]


def count_element(resource, path):
    if path == "value[x]":
        return sum(1 for k in resource if k.startswith("value"))
    if path.endswith("[x]"):
        stem = path[:-3]
        return sum(1 for k in resource if k.startswith(stem) and k != stem)
    value = resource.get(path)
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def parse_cardinality(text):
    low, high = text.split("..")
    return int(low), (None if high == "*" else int(high))


def value_key(type_name):
    """value[x] element name for a type: string -> valueString, CodeableConcept -> valueCodeableConcept."""
    return "value" + type_name[0].upper() + type_name[1:]


def value_keys(element):
    return [k for k in element if k.startswith("value")]


def check_fixed_coding(concept, fixed):
    return (fixed.get("system"), fixed.get("code")) in codings(concept)


def check_profile(resource, rule, where, problems):
    name = rule["canonical"].rsplit("/", 1)[-1]
    here = f"{where} [{name}]"
    if resource.get("resourceType") != rule["baseResource"]:
        problems.append(f"{here}: resourceType {resource.get('resourceType')} is not {rule['baseResource']}")
    for path, fixed in rule.get("fixed", {}).items():
        if path == "code":
            if not check_fixed_coding(resource.get("code"), fixed):
                problems.append(f"{here}: code must include {fixed['system']}#{fixed['code']}, has {codings(resource.get('code'))}")
        elif path == "category.coding":
            if not any(check_fixed_coding(c, fixed) for c in resource.get("category", [])):
                problems.append(f"{here}: category must include {fixed['system']}#{fixed['code']}")
        else:
            problems.append(f"{here}: fixed value on {path} not checked by this script")
    for path, card in rule.get("cardinality", {}).items():
        if "." in path:
            continue
        low, high = parse_cardinality(card)
        n = count_element(resource, path)
        if n < low or (high is not None and n > high):
            problems.append(f"{here}: {path} has {n} value(s), rule {card}")
    only_value = rule.get("only", {}).get("value[x]")
    if only_value:
        for key in value_keys(resource):
            if key != value_key(only_value):
                problems.append(f"{here}: {key} not allowed, value[x] only {only_value}")
    slices = rule.get("slices", {})
    # category slices: fixed coding, min/max, coding cardinality
    for slice_name, s in slices.get("category", {}).items():
        fixed = s.get("fixed", {}).get("coding")
        if not fixed:
            continue
        matches = [c for c in resource.get("category", []) if check_fixed_coding(c, fixed)]
        if len(matches) < s["min"] or (s["max"] != "*" and len(matches) > int(s["max"])):
            problems.append(f"{here}: category slice {slice_name} ({fixed['system']}#{fixed['code']}) has {len(matches)}, needs {s['min']}..{s['max']}")
        coding_card = s.get("cardinality", {}).get("coding")
        if coding_card:
            low, high = parse_cardinality(coding_card)
            for m in matches:
                n = len(m.get("coding", []))
                if n < low or (high is not None and n > high):
                    problems.append(f"{here}: category slice {slice_name} has {n} codings, rule {coding_card}")
    # component slices: matched by their fixed code
    component_slices = slices.get("component", {})
    counts = {k: 0 for k in component_slices}
    for i, component in enumerate(resource.get("component", [])):
        matched = False
        for slice_name, s in component_slices.items():
            fixed = s.get("fixed", {}).get("code")
            if not fixed or not check_fixed_coding(component.get("code"), fixed):
                continue
            matched = True
            counts[slice_name] += 1
            keys = value_keys(component)
            only = s.get("only", {}).get("value[x]")
            if only and any(k != value_key(only) for k in keys):
                problems.append(f"{here}: component[{i}] ({slice_name}) has {keys}, value[x] only {only}")
            vcard = s.get("cardinality", {}).get("value[x]")
            if vcard:
                low, high = parse_cardinality(vcard)
                if len(keys) < low or (high is not None and len(keys) > high):
                    problems.append(f"{here}: component[{i}] ({slice_name}) has {len(keys)} value[x], rule {vcard}")
        if not matched:
            problems.append(f"{here}: component[{i}] code {codings(component.get('code'))} matches no slice of the profile")
    for slice_name, s in component_slices.items():
        n = counts[slice_name]
        if n < s["min"] or (s["max"] != "*" and n > int(s["max"])):
            problems.append(f"{here}: component slice {slice_name} has {n}, needs {s['min']}..{s['max']}")
    # extension slices: matched by url
    for slice_name, s in slices.get("extension", {}).items():
        n = sum(1 for e in resource.get("extension", []) if e.get("url") == s.get("extension"))
        if n < s["min"] or (s["max"] != "*" and n > int(s["max"])):
            problems.append(f"{here}: extension slice {slice_name} has {n}, needs {s['min']}..{s['max']}")


def collect_references(value, out):
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str):
            out.append(ref)
        for v in value.values():
            collect_references(v, out)
    elif isinstance(value, list):
        for v in value:
            collect_references(v, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--rules", default=DEFAULT_RULES)
    args = parser.parse_args()
    try:
        from fhir.resources.R4B import get_fhir_model_class
        from fhir.resources.R4B.bundle import Bundle
    except ImportError as error:
        print(f"fhir.resources (R4B) is not installed: {error}", file=sys.stderr)
        return 2
    with open(args.bundle, encoding="utf-8") as f:
        bundle = json.load(f)
    with open(args.rules, encoding="utf-8") as f:
        rules = json.load(f)["profiles"]
    by_canonical = {r["canonical"]: r for r in rules.values()}
    problems = []

    try:
        Bundle.model_validate(bundle)
    except Exception as error:  # pydantic ValidationError and friends
        problems.append(f"Bundle: fhir.resources R4B: {error}")
    if bundle.get("type") != "collection":
        problems.append(f"Bundle.type is {bundle.get('type')!r}, expected 'collection'")

    entries = bundle.get("entry", [])
    full_urls = [e.get("fullUrl") for e in entries]
    if len(set(full_urls)) != len(full_urls):
        problems.append("Bundle: duplicate fullUrl")
    summary = {}
    for index, entry in enumerate(entries):
        resource = entry.get("resource", {})
        rtype = resource.get("resourceType")
        where = f"entry[{index}] {rtype}"
        url = entry.get("fullUrl") or ""
        if not url.startswith("urn:uuid:"):
            problems.append(f"{where}: fullUrl {url!r} is not urn:uuid:")
        elif resource.get("id") and "urn:uuid:" + resource["id"] != url:
            problems.append(f"{where}: id {resource['id']} does not match fullUrl {url}")
        try:
            get_fhir_model_class(rtype).model_validate(resource)
        except Exception as error:
            problems.append(f"{where}: fhir.resources R4B: {error}")
        profiles = resource.get("meta", {}).get("profile", [])
        if not profiles:
            problems.append(f"{where}: no meta.profile")
        for canonical in profiles:
            rule = by_canonical.get(canonical)
            if rule is None:
                problems.append(f"{where}: profile {canonical} not in {args.rules}")
                continue
            check_profile(resource, rule, where, problems)
            key = canonical.rsplit("/", 1)[-1]
            summary[key] = summary.get(key, 0) + 1

    references = []
    collect_references(bundle, references)
    for ref in references:
        if ref.startswith("urn:uuid:") and ref not in full_urls:
            problems.append(f"reference {ref} does not resolve within the bundle")

    print(f"{args.bundle}: {len(entries)} entries; profiles: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items())))
    print(f"{sum(1 for r in references if r.startswith('urn:uuid:'))} urn:uuid references checked")
    for p in problems:
        print("PROBLEM: " + p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
