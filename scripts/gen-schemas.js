#!/usr/bin/env node
// Usage: node scripts/gen-schemas.js OUT_DIR NAME=CRD_FILE[:KINDS[:VERSIONS]]...
// Writes OUT_DIR/NAME.json: the structural schema of every served version of every kind of a CRD bundle
// (VERSIONS: comma-separated, default "served": v1, and v1alpha3/v1beta1/... where the CRD still serves them; descriptions stripped by select-crds.js),
// one CRD version per line, sorted: the validation data shipped in the package (src/validation/schemas,
// copied to lib/ at compile). A version whose schema equals an earlier listed version of the same CRD is
// written as `"schemaOf": "<that version>"` (Istio serves v1alpha3, v1beta1 and v1 with one schema).
// Deterministic: same input, same bytes.
'use strict';
const fs = require('fs');
const path = require('path');
const { selectCrds } = require('./select-crds');

const [outDir, ...bundles] = process.argv.slice(2);
if (!outDir || bundles.length === 0) {
  console.error('usage: gen-schemas.js OUT_DIR NAME=CRD_FILE[:KINDS[:VERSIONS]]...');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
for (const arg of bundles) {
  const [name, spec] = arg.split('=');
  const [file, kindsArg = 'all', versionsArg = 'served'] = spec.split(':');
  const kinds = kindsArg === 'all' ? undefined : new Set(kindsArg.split(','));
  const entries = [];
  const versions = versionsArg === 'served' ? undefined : new Set(versionsArg.split(','));
  for (const crd of selectCrds(file, versions, kinds)) {
    const seen = new Map(); // schema JSON -> the first version carrying it
    for (const v of crd.spec.versions) {
      if (!v.schema) continue;
      const json = JSON.stringify(v.schema.openAPIV3Schema);
      const same = seen.get(json);
      if (!same) seen.set(json, v.name);
      entries.push({
        group: crd.spec.group,
        version: v.name,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        scope: crd.spec.scope,
        ...(same ? { schemaOf: same } : { schema: v.schema.openAPIV3Schema }),
      });
    }
  }
  entries.sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`) || (a.schemaOf ? 1 : 0) - (b.schemaOf ? 1 : 0) || a.version.localeCompare(b.version));
  const out = path.join(outDir, `${name}.json`);
  fs.writeFileSync(out, `{"source":${JSON.stringify(path.basename(path.dirname(file)))},"crds":[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`);
  console.log(`${out}: ${entries.map((e) => `${e.kind}(${e.version})`).join(' ')}`);
}
