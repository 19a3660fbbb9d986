#!/usr/bin/env bash
# Guards the default dependency tree: `cargo tree -e normal` with default
# features must match .ci/default-deps.txt, have no duplicated crate and no
# proc-macro, and stay within the crate budget.
#
#   .ci/default-deps.sh           check (CI runs this)
#   .ci/default-deps.sh --update  rewrite .ci/default-deps.txt from the tree
#
# Commit the rewritten list with the change that moved the tree, so the
# reviewer sees what came in.
set -euo pipefail
cd "$(dirname "$0")/.."

expected=.ci/default-deps.txt
max_crates=45 # packages in the tree, this crate included

tree() {
    # The root line carries the checkout's path: drop it so any clone matches.
    cargo tree -e normal --format '{p}' | sed -E 's# \(/[^)]*\)##'
}

if [[ "${1:-}" == "--update" ]]; then
    tree >"$expected"
    echo "wrote $expected ($(tree | sed -E 's/^[^a-z0-9_-]*//; s/ \(\*\)$//' | sort -u | wc -l) crates)"
    exit 0
fi

actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
tree >"$actual"
status=0

if ! diff -u "$expected" "$actual"; then
    echo "error: the default dependency tree differs from $expected (diff above, - expected + actual)."
    echo "If the change is intended, run .ci/default-deps.sh --update and commit $expected with it."
    status=1
fi

crates=$(sed -E 's/^[^a-z0-9_-]*//; s/ \(\*\)$//' "$actual" | sort -u | wc -l)
if ((crates > max_crates)); then
    echo "error: $crates crates in the default tree, over the budget of $max_crates."
    status=1
fi

duplicates=$(cargo tree -e normal -d --format '{p}' 2>/dev/null | grep -v '^$' || true)
if [[ -n "$duplicates" ]]; then
    echo "error: crates present in more than one version (cargo tree -e normal -d):"
    echo "$duplicates"
    status=1
fi

# A proc-macro is the one kind of edge that `no-proc-macro` drops.
if ! diff -q <(cargo tree -e normal --prefix none) <(cargo tree -e normal,no-proc-macro --prefix none) >/dev/null; then
    echo "error: the default tree has a proc-macro:"
    diff <(cargo tree -e normal --prefix none) <(cargo tree -e normal,no-proc-macro --prefix none) || true
    status=1
fi

if ((status == 0)); then
    echo "default dependency tree: $crates crates, as in $expected; no duplicate, no proc-macro"
fi
exit "$status"
