#!/usr/bin/env bash
# Checks that the declared rust-version is honest for the locked
# dependencies: no package the library builds with (all features, normal
# dependencies) declares a newer rust-version. When the toolchain of that
# version is installed (rustup), the library is also built with it.
set -euo pipefail
cd "$(dirname "$0")/.."

msrv=$(sed -nE 's/^rust-version = "([0-9.]+)"/\1/p' Cargo.toml)
echo "rust-version = $msrv"

# The packages the library itself needs: walk normal dependencies from the
# root through the resolved graph, then compare their rust-version.
cargo metadata --format-version 1 --all-features --locked | python3 -c '
import json, sys
msrv = tuple(int(x) for x in sys.argv[1].split("."))
meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]
seen, stack = set(), [root]
while stack:
    node = nodes[stack.pop()]
    for dep in node["deps"]:
        if any(k["kind"] is None for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])
too_new = []
for pid in sorted(seen):
    p = packages[pid]
    rv = p.get("rust_version")
    if rv and tuple(int(x) for x in rv.split(".")[:3]) > msrv + (0,) * (3 - len(msrv)):
        too_new.append("%s %s needs rust %s" % (p["name"], p["version"], rv))
if too_new:
    print("error: locked dependencies need a newer rust than rust-version:", *too_new, sep="\n  ")
    sys.exit(1)
print(f"{len(seen)} locked library dependencies, all within rust {sys.argv[1]}")
' "$msrv"

if command -v rustup >/dev/null && rustup toolchain list | grep -q "^$msrv"; then
    echo "== cargo +$msrv check --lib --all-features --locked"
    cargo "+$msrv" check --lib --all-features --locked
else
    echo "(toolchain $msrv is not installed here: the build with it is skipped)"
fi
