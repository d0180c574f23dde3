#!/usr/bin/env node
// Usage: node scripts/select-crds.js IN OUT VERSIONS [KINDS]
//   VERSIONS: comma-separated CRD versions to keep (e.g. "v1"), or "served" for every served version;
//             only served ones are kept.
//   KINDS:    comma-separated kinds to keep, or "all" (default).
// Drops upstream `description` text from schema nodes only (a real field named `description`, such as
// GatewayClass spec.description, is a key of `properties` and is kept), so the generated bindings carry
// the API's shape and not upstream prose. Output is deterministic: same input, same bytes.
'use strict';
const fs = require('fs');
const YAML = require('yaml');

function stripSchema(node) {
  if (Array.isArray(node)) return node.map(stripSchema);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSchema(v)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = typeof value === 'object' ? stripSchema(value) : value;
    } else {
      out[key] = value; // default, enum, pattern, x-kubernetes-* ... copied verbatim
    }
  }
  return out;
}

/**
 * The CRDs of a bundle that serve one of `versions` (every served version when undefined; and are of one
 * of `kinds`, unless undefined), with descriptions stripped from their schemas and only those versions
 * kept; sorted by CRD name.
 */
function selectCrds(inFile, versions, kinds) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(inFile, 'utf8'))
    .map((d) => d.toJSON())
    .filter((d) => d && d.kind === 'CustomResourceDefinition');
  const kept = [];
  for (const crd of docs) {
    if (kinds && !kinds.has(crd.spec.names.kind)) continue;
    const vs = crd.spec.versions.filter((v) => v.served && (!versions || versions.has(v.name)));
    if (vs.length === 0) continue;
    kept.push({
      apiVersion: crd.apiVersion,
      kind: crd.kind,
      metadata: { name: crd.metadata.name },
      spec: {
        ...crd.spec,
        versions: vs.map((v) => ({ ...v, schema: v.schema && { openAPIV3Schema: stripSchema(v.schema.openAPIV3Schema) } })),
      },
    });
  }
  kept.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return kept;
}

module.exports = { stripSchema, selectCrds };

if (require.main === module) {
  const [inFile, outFile, versionsArg, kindsArg = 'all'] = process.argv.slice(2);
  if (!inFile || !outFile || !versionsArg) {
    console.error('usage: select-crds.js IN OUT VERSIONS [KINDS]');
    process.exit(2);
  }
  const versions = versionsArg === 'served' ? undefined : new Set(versionsArg.split(','));
  const kinds = kindsArg === 'all' ? undefined : new Set(kindsArg.split(','));
  const kept = selectCrds(inFile, versions, kinds);
  fs.writeFileSync(outFile, kept.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n'));
  console.log(`${outFile}: ${kept.map((d) => `${d.spec.names.kind}(${d.spec.versions.map((v) => v.name).join(',')})`).join(' ')}`);
}
