#!/usr/bin/env node
// Precompiles the schema validators of the CRD bundles shipped in the package (run by `npx projen compile`
// after jsii): one standalone CommonJS module per kind version in <dir>/validators/, the code ajv would
// otherwise generate and compile when the kind is first validated (~20-70 ms per kind, per process).
// Each module carries the fingerprint of its schema; the library uses it only for exactly that schema.
//
//   node scripts/gen-validators.js lib/validation
'use strict';
const fs = require('fs');
const path = require('path');

const dir = path.resolve(process.argv[2] || 'lib/validation');
const { _precompiledSource, _precompiledFile } = require(path.join(dir, '_schema.js'));
// the bundles the library loads (ConformanceValidator), so every built-in kind has its module
const { _BUILT_IN_BUNDLES } = require(path.join(dir, 'conformance.js'));
const out = path.join(dir, 'validators');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
let files = 0;
let bytes = 0;
for (const bundle of _BUILT_IN_BUNDLES) {
  const data = JSON.parse(fs.readFileSync(path.join(dir, 'schemas', `${bundle}.json`), 'utf8'));
  for (const c of data.crds) {
    if (c.schemaOf) continue; // served with the schema of another version: that version's module serves it
    const source = _precompiledSource(c.schema, '../_schema-runtime');
    fs.writeFileSync(path.join(out, _precompiledFile(`${c.group}/${c.version}`, c.kind)), source);
    files++;
    bytes += source.length;
  }
}
console.log(`gen-validators: ${files} validators, ${(bytes / 2 ** 20).toFixed(1)} MiB, in ${path.relative(process.cwd(), out)}`);
