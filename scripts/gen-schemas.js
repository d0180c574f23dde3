#!/usr/bin/env node
// Usage: node scripts/gen-schemas.js OUT_DIR NAME=CRD_FILE[:KINDS[:VERSIONS]]...
// Writes OUT_DIR/NAME.json: the structural schema of every served kind version (VERSIONS, default v1) of a CRD bundle (descriptions
// stripped by select-crds.js), one CRD version per line, sorted: the validation data shipped in the
// package (src/validation/schemas, copied to lib/ at compile). Deterministic: same input, same bytes.
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
  const [file, kindsArg = 'all', versionsArg = 'v1'] = spec.split(':');
  const kinds = kindsArg === 'all' ? undefined : new Set(kindsArg.split(','));
  const entries = [];
  for (const crd of selectCrds(file, new Set(versionsArg.split(',')), kinds)) {
    for (const v of crd.spec.versions) {
      entries.push({
        group: crd.spec.group,
        version: v.name,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        scope: crd.spec.scope,
        schema: v.schema.openAPIV3Schema,
      });
    }
  }
  entries.sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
  const out = path.join(outDir, `${name}.json`);
  fs.writeFileSync(out, `{"source":${JSON.stringify(path.basename(path.dirname(file)))},"crds":[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`);
  console.log(`${out}: ${entries.map((e) => e.kind).join(' ')}`);
}
