#!/usr/bin/env bash
# Builds the DocC documentation of the ConvKit and ConvKitNN modules with the toolchain's
# `docc`, no package plugin needed: the symbol graphs come from `swift package
# dump-symbol-graph`, the articles and topic groups from Sources/<Module>/<Module>.docc.
# Fails on any DocC warning (an unresolved ``symbol`` link, say) and on any public symbol
# without a doc comment. Writes <out>/<Module>.doccarchive (default out: .build/docs), laid out
# for static hosting: serve <out>/<Module>.doccarchive and open /documentation/<module>.
# Usage: scripts/build-docs.sh [out]
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-.build/docs}
modules=(ConvKit ConvKitNN)
docc=$(dirname "$(command -v swift)")/docc
[ -x "$docc" ] || docc=docc

echo "== build-docs: symbol graphs (swift package dump-symbol-graph)"
graphs=$(swift package dump-symbol-graph --minimum-access-level public --skip-synthesized-members 2>&1 |
         sed -n 's/^Files written to //p')
[ -d "$graphs" ] || { echo "build-docs: swift package dump-symbol-graph wrote no symbol graphs" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"
for module in "${modules[@]}"; do
    echo "== build-docs: $module"
    mkdir -p "$scratch/$module"
    cp "$graphs/$module.symbols.json" "$scratch/$module/"
    cp "$graphs/$module@"*.symbols.json "$scratch/$module/" 2>/dev/null || true
    rm -rf "$out/$module.doccarchive"
    if ! "$docc" convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$scratch/$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.convkit.$module" \
        --output-path "$out/$module.doccarchive" --transform-for-static-hosting --warnings-as-errors \
        --experimental-documentation-coverage --coverage-summary-level detailed > "$scratch/$module.coverage" 2>&1; then
        grep -v ' | ' "$scratch/$module.coverage" >&2 # the diagnostics, without the coverage table
        exit 1
    fi
    # Public symbols without an abstract (articles aside), other than what the compiler writes:
    # a conformance's operators and default implementations, a raw-value enum's init(rawValue:)
    # and a property wrapper's $projection.
    undocumented=$(awk -F'|' 'NF > 5 && $3 ~ /false/ && $2 !~ /CollectionGroup|Operator|Article/ && $1 !~ /^([$]|init\(rawValue:\))/ { print $8 }' \
                   "$scratch/$module.coverage" | sed 's|.*/documentation/||' | sort)
    if [ -n "$undocumented" ]; then
        echo "build-docs: public symbols of $module without a doc comment:" >&2
        echo "$undocumented" | sed 's/^/  /' >&2
        exit 1
    fi
    echo "build-docs: $out/$module.doccarchive"
done
