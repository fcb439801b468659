#!/usr/bin/env python3
"""Summarise hyperfine JSON files: median wall and median CPU (user+sys) per command, and ratios to tailor."""
import json
import statistics
import sys

for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    rows = []
    for r in results:
        wall = statistics.median(r["times"])
        cpu = statistics.median([u + s for u, s in zip(r["user"], r["system"])]) if "user" in r and isinstance(r["user"], list) else r["user"] + r["system"]
        rows.append((r["command"], wall, cpu))
    base = {name: (w, c) for name, w, c in rows}
    ref = base.get("tailor-stats-t1") or base.get("tailor-region-1Mb")
    print(f"\n{path}")
    print(f"{'command':24} {'median wall s':>14} {'median CPU s':>13} {'wall / tailor':>14} {'CPU / tailor':>13}")
    for name, w, c in rows:
        print(f"{name:24} {w:14.3f} {c:13.3f} {w / ref[0]:14.2f} {c / ref[1]:13.2f}")
