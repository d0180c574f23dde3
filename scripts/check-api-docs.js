#!/usr/bin/env node
// Usage: node scripts/check-api-docs.js [ASSEMBLY]   (default: .jsii, written by `npx projen compile`)
// Lists every element of the library's own public API (the root module of the jsii assembly) that has
// no doc summary: classes, interfaces and structs, enums and their members, properties, methods,
// initializers, and each parameter of a method or initializer. These are the rows API.md (jsii-docgen)
// prints as "No description". The generated bindings (src/imports) are jsii submodules: their types
// carry a `namespace` (e.g. fqn `cdk8s-istio.istio_networking.VirtualService`) and are not checked.
// Prints one line per missing summary (fqn, what it is, source location), sorted, and a count per
// source file; exits 1 if anything is missing, 0 otherwise.
'use strict';
const fs = require('fs');

/** True when a jsii `docs` object has a non-blank summary. */
function hasSummary(docs) {
  return typeof docs?.summary === 'string' && docs.summary.trim() !== '';
}

/** "file:line" of a jsii element, or of its enclosing type when the element has no location of its own. */
function where(element, type) {
  const loc = element.locationInModule ?? type.locationInModule;
  return loc ? `${loc.filename}:${loc.line}` : '(unknown location)';
}

/** The types of the assembly's root module: no submodule namespace, declared by this assembly. */
function rootTypes(assembly) {
  return Object.values(assembly.types ?? {})
    .filter((t) => !t.namespace && t.assembly === assembly.name);
}

/**
 * Missing entries of a callable: itself (`Type.name()`, or `Type.constructor()` for the initializer),
 * then each undocumented parameter (`Type.name(param)`).
 */
function callableMissing(type, callable, isInitializer) {
  const out = [];
  const name = `${type.fqn}.${isInitializer ? 'constructor' : callable.name}`;
  const at = where(callable, type);
  if (!hasSummary(callable.docs)) out.push({ fqn: `${name}()`, what: isInitializer ? 'initializer' : 'method', location: at });
  for (const p of callable.parameters ?? []) {
    if (!hasSummary(p.docs)) out.push({ fqn: `${name}(${p.name})`, what: 'parameter', location: at });
  }
  return out;
}

/** Every missing summary of one type: the type itself, its members and their parameters. */
function typeMissing(type) {
  const kind = type.kind === 'interface' && type.datatype ? 'struct' : type.kind;
  const out = [];
  if (!hasSummary(type.docs)) out.push({ fqn: type.fqn, what: kind, location: where(type, type) });
  if (type.initializer) out.push(...callableMissing(type, type.initializer, true));
  for (const m of type.methods ?? []) out.push(...callableMissing(type, m, false));
  for (const p of type.properties ?? []) {
    if (!hasSummary(p.docs)) out.push({ fqn: `${type.fqn}.${p.name}`, what: 'property', location: where(p, type) });
  }
  for (const m of type.members ?? []) {
    if (!hasSummary(m.docs)) out.push({ fqn: `${type.fqn}.${m.name}`, what: 'enum member', location: where(m, type) });
  }
  return out;
}

/** All missing summaries of the assembly's root module, sorted by fqn (deterministic output). */
function findMissingDocs(assembly) {
  return rootTypes(assembly)
    .flatMap(typeMissing)
    .sort((a, b) => (a.fqn < b.fqn ? -1 : a.fqn > b.fqn ? 1 : 0));
}

/** Count of missing entries per source file, sorted by file name. */
function countByFile(missing) {
  const counts = new Map();
  for (const m of missing) {
    const file = m.location.replace(/:\d+$/, '');
    counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** The report printed by the command line: one line per entry, then a count per file and a total. */
function formatReport(missing) {
  if (missing.length === 0) return 'API docs complete: every public element of the root module has a summary.';
  const lines = missing.map((m) => `${m.location}  ${m.what}  ${m.fqn}`);
  lines.push('', 'missing per file:');
  for (const [file, n] of countByFile(missing)) lines.push(`  ${String(n).padStart(4)}  ${file}`);
  lines.push('', `${missing.length} public API element(s) without a doc summary: add a /** ... */ comment `
    + '(and `@param name description` for each parameter) at the locations above.');
  return lines.join('\n');
}

function main(argv) {
  const file = argv[0] ?? '.jsii';
  if (!fs.existsSync(file)) {
    console.error(`check-api-docs: assembly '${file}' not found: run \`npx projen compile\` first (it writes .jsii).`);
    return 2;
  }
  const missing = findMissingDocs(JSON.parse(fs.readFileSync(file, 'utf8')));
  (missing.length ? console.error : console.log)(formatReport(missing));
  return missing.length ? 1 : 0;
}

module.exports = { findMissingDocs, countByFile, formatReport, hasSummary };

if (require.main === module) process.exit(main(process.argv.slice(2)));
