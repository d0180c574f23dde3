#!/usr/bin/env bash
# `npx projen example`: synthesize every example app (each folder of examples/ with a cdk8s.yaml) with the real
# cdk8s CLI into examples/<app>/dist/ (istiod Helm values into examples/<app>/dist-mesh/). Run from the project
# root after `npx projen compile` (the apps' MeshValidationPlugin loads ../../lib).
set -euo pipefail
found=0
for app in examples/*/; do
  [ -f "${app}cdk8s.yaml" ] || continue
  found=$((found + 1))
  echo "synth ${app}"
  (cd "$app" && npx cdk8s synth --no-check-upgrade && ls -1 dist/ dist-mesh/)
done
if [ "$found" -eq 0 ]; then echo "no example app (examples/*/cdk8s.yaml) found" >&2; exit 1; fi
