# Shared by the tests that install the packed library outside the repository (consumer-test.sh,
# platform-package-test.sh). Source it after setting ROOT and LABEL; then:
#   find_tarball                 sets TARBALL (the one dist/js/cdk8s-istio@*.jsii.tgz) or exits FAILED
#   make_workdir PREFIX          sets WORK, a temporary folder removed at exit (KEEP=1 keeps it)
#   step NAME TIMEOUT CMD...     runs CMD in $STEP_DIR (no stdin), records a failure
#   report                       prints "$LABEL: ok" or "$LABEL: FAILED (<steps>)" and exits 0 / 1

find_tarball() {
  shopt -s nullglob
  local tarballs=("$ROOT"/dist/js/cdk8s-istio@*.jsii.tgz)
  shopt -u nullglob
  if [ "${#tarballs[@]}" -ne 1 ]; then
    echo "$LABEL: FAILED (expected one dist/js/cdk8s-istio@*.jsii.tgz, found ${#tarballs[@]}: run 'rm -rf dist/js && npx projen package' first)"
    exit 1
  fi
  TARBALL="${tarballs[0]}"
}

make_workdir() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  if [ "${KEEP:-0}" = 1 ]; then echo "keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
}

FAILED_STEPS=()
step() {
  local name="$1" limit="$2"; shift 2
  local start=$SECONDS
  echo "--- $LABEL: $name"
  if (cd "$STEP_DIR" && timeout "$limit" "$@" </dev/null); then echo "--- $LABEL: $name ok ($((SECONDS - start)) s)"; return 0; fi
  echo "--- $LABEL: $name FAILED ($((SECONDS - start)) s; limit $limit s)"
  FAILED_STEPS+=("$name")
  return 1
}

report() {
  if [ "${#FAILED_STEPS[@]}" -eq 0 ]; then echo "$LABEL: ok (${SECONDS} s)"; exit 0; fi
  local IFS=,
  echo "$LABEL: FAILED (${FAILED_STEPS[*]}; ${SECONDS} s)"
  exit 1
}
