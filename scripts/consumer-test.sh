#!/usr/bin/env bash
# Consumer test (issue #16): cdk8s-istio works in a fresh user app, installed from the packed tarball.
#
# Usage: scripts/consumer-test.sh 27|33     (after `npx projen package`, which writes dist/js/*.jsii.tgz)
#
# In a temporary folder outside the repository:
#  1. lays out an app exactly as `cdk8s init typescript-app` does (scripts/consumer-app/scaffold.js: the
#     template of the cdk8s-cli installed here, the same sscaff substitution; its post hook is not run,
#     because its `cdk8s import k8s` downloads from GitHub), then puts in the user's files from
#     scripts/consumer-app/ (main.ts, main.test.ts, the cdk8s.yaml `validations:` entry) with
#     'cdk8s-plus-33' replaced by the cdk8s-plus version under test;
#  2. npm install: the template's dependencies (cdk8s, constructs, cdk8s-cli, jest 29, ts-jest, typescript
#     5.9, @types/jest, ts-node), the cdk8s-plus under test and the tarball;
#  3. runs `npx jest` (the template's stock ts-jest config, which type-checks) and `npx cdk8s synth`
#     (ts-node, with cdk8s-istio's MeshValidationPlugin), then checks dist/ (check-synth.js).
# Prints "consumer app (cdk8s-plus-N): ok" or "... FAILED (<steps>)"; exit 0 only when every step passed.
# Nothing is written in the repository; the temporary folder is removed at exit (KEEP=1 keeps it).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIXTURES="$ROOT/scripts/consumer-app"
MAJOR="${1:-}"
case "$MAJOR" in
  27|33) ;;
  *) echo "usage: scripts/consumer-test.sh 27|33 (the cdk8s-plus major version to test with)" >&2; exit 2 ;;
esac
LABEL="consumer app (cdk8s-plus-$MAJOR)"

# shellcheck source=scripts/tarball-test-lib.sh
source "$ROOT/scripts/tarball-test-lib.sh"
find_tarball
make_workdir "cdk8s-istio-consumer-$MAJOR"
APP="$WORK/my-app"
STEP_DIR="$APP"

# 1. the app, as `cdk8s init typescript-app` lays it out, plus the user's files
if ! node "$FIXTURES/scaffold.js" "$APP"; then FAILED_STEPS+=("scaffold"); report; fi
sed "s/'cdk8s-plus-33'/'cdk8s-plus-$MAJOR'/" "$FIXTURES/main.ts" > "$APP/main.ts"
cp "$FIXTURES/main.test.ts" "$APP/main.test.ts"
if ! grep -q "from 'cdk8s-plus-$MAJOR'" "$APP/main.ts"; then # cdk8s-cli brings cdk8s-plus-33: a missed swap would pass unseen
  echo "main.ts does not import cdk8s-plus-$MAJOR"; FAILED_STEPS+=("scaffold"); report
fi
rm -rf "$APP/__snapshots__" # the template's snapshot of its placeholder test, which main.test.ts replaces
if [ "$MAJOR" != 33 ]; then # the template depends on cdk8s-plus-33: this app uses another one instead
  node -e 'const f = process.argv[1], p = require(f); delete p.dependencies["cdk8s-plus-33"];
    require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$APP/package.json"
fi

# 2. install (the template's dependencies, the cdk8s-plus version under test, the tarball)
KPLUS=()
[ "$MAJOR" != 33 ] && KPLUS=("cdk8s-plus-$MAJOR")
step "npm install" 600 npm install --no-audit --no-fund "$TARBALL" "${KPLUS[@]}" || report
VERSION="$(cd "$APP" && node -p 'require("./node_modules/cdk8s-istio/package.json").version' 2>/dev/null || echo missing)"
sed "s/@VERSION@/$VERSION/" "$FIXTURES/cdk8s.validations.yaml" >> "$APP/cdk8s.yaml"
(cd "$APP" && echo "installed: $(npm ls --depth=0 2>/dev/null | tail -n +2 | grep -v extraneous | sed 's/^[^a-z@]*//' | tr '\n' ' ')")

# 3. the template's test and synth (both type-check the app with its tsconfig.json, as its
#    `npm run compile` would: not repeated), then what synth wrote
step "npx jest" 300 npx jest
step "npx cdk8s synth" 300 npx cdk8s synth --no-check-upgrade --validation-reports-output-file "$WORK/validation-report.json" \
  && step "check dist/ (check-synth.js)" 60 node "$FIXTURES/check-synth.js" "$WORK/validation-report.json"
report
