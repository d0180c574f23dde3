#!/usr/bin/env bash
# Platform package test (issue #23): examples/platform-package (acme-mesh, a jsii library of AcmeService on
# top of cdk8s-istio) builds with jsii against the packed cdk8s-istio and its test passes.
#
# Usage: scripts/platform-package-test.sh     (after `npx projen package`, which writes dist/js/*.jsii.tgz)
#
# In a temporary folder outside the repository:
#  1. copies examples/platform-package (without build products) and points its cdk8s-istio peer/dev
#     dependency at the tarball's version;
#  2. npm install: its devDependencies (cdk8s, constructs, jsii, jsii-pacmak) and the tarball (not saved);
#  3. `npx jsii` (the package's build: must exit 0 with no warning but C#/Go reserved words), then its test
#     (`node --test test/`, against the compiled lib/index.js), then `jsii-pacmak --code-only --target python`
#     (the Python bindings generate; python3 -m py_compile on them when python3 is there).
# Prints "platform package (acme-mesh): ok" or "... FAILED (<steps>)"; exit 0 only when every step passed.
# Nothing is written in the repository; the temporary folder is removed at exit (KEEP=1 keeps it).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXAMPLE="$ROOT/examples/platform-package"
LABEL="platform package (acme-mesh)"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

# shellcheck source=scripts/tarball-test-lib.sh
source "$ROOT/scripts/tarball-test-lib.sh"
find_tarball
VERSION="$(tar -xOzf "$TARBALL" package/package.json | node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => console.log(JSON.parse(s).version))')"
if [ -z "$VERSION" ]; then echo "$LABEL: FAILED (cannot read the version of $TARBALL)"; exit 1; fi

make_workdir cdk8s-istio-platform
PKG="$WORK/acme-mesh"
STEP_DIR="$PKG"

# 1. the package's sources, as its authors commit them (build products of a local build left behind)
cp -R "$EXAMPLE" "$PKG"
rm -rf "$PKG/node_modules" "$PKG/lib" "$PKG/dist" "$PKG/.jsii" "$PKG/tsconfig.json" "$PKG/tsconfig.tsbuildinfo" "$PKG/package-lock.json"
# the example depends on the cdk8s-istio release of its time: follow the version under test
node -e 'const f = process.argv[1], v = process.argv[2], p = require(f);
  p.peerDependencies["cdk8s-istio"] = "^" + v; p.devDependencies["cdk8s-istio"] = v;
  require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$PKG/package.json" "$VERSION"

# 2. install: the devDependencies from the registry, cdk8s-istio from the tarball (--no-save keeps package.json as jsii reads it)
step "npm install" 600 npm install --no-audit --no-fund --no-save "$TARBALL" || report
INSTALLED="$(cd "$PKG" && node -p 'require("cdk8s-istio/package.json").version' 2>/dev/null || echo missing)"
if [ "$INSTALLED" != "$VERSION" ] || ! cmp -s "$ROOT/lib/index.js" "$PKG/node_modules/cdk8s-istio/lib/index.js"; then
  echo "--- $LABEL: node_modules/cdk8s-istio ($INSTALLED) is not the packed tarball ($VERSION)"; FAILED_STEPS+=("npm install"); report
fi
(cd "$PKG" && echo "installed: $(npm ls --depth=0 2>/dev/null | tail -n +2 | sed 's/^[^a-z@]*//' | tr '\n' ' ')")

# 3. jsii build, the test against lib/index.js, the Python bindings
step "npx jsii" 300 npx jsii --silence-warnings=reserved-word --fail-on-warnings || report
step "node --test test/ (against lib/index.js)" 300 node --test test/
if step "jsii-pacmak --code-only --target python" 300 npx jsii-pacmak --code-only --target python --outdir "$WORK/pacmak"; then
  if command -v python3 >/dev/null 2>&1; then
    step "python3 -m py_compile (generated bindings)" 60 bash -c 'find "$1" -name "*.py" -print0 | xargs -0 python3 -m py_compile' _ "$WORK/pacmak/python"
  fi
fi
report
