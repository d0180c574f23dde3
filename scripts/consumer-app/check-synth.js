// Run in the consumer app after `cdk8s synth`: the manifests in dist/ hold exactly the expected objects,
// and cdk8s-istio's validation plugin (cdk8s.yaml `validations:`) ran over them and passed.
// Usage: node check-synth.js VALIDATION_REPORT_JSON
'use strict';
const fs = require('fs');
const path = require('path');
// the app's cdk8s (this file is run from the repository, in the app's folder)
const { Yaml } = require(require.resolve('cdk8s', { paths: [process.cwd()] }));

const EXPECTED = [
  'apps/v1 Deployment shop/catalog-v1',
  'apps/v1 Deployment shop/catalog-v2',
  'apps/v1 Deployment shop/frontend',
  'apps/v1 Deployment shop/reporting',
  'networking.istio.io/v1 DestinationRule shop/catalog',
  'networking.istio.io/v1 VirtualService shop/catalog',
  'security.istio.io/v1 AuthorizationPolicy shop/allow-frontend-to-catalog',
  'security.istio.io/v1 AuthorizationPolicy shop/allow-nothing',
  'security.istio.io/v1 AuthorizationPolicy shop/allow-reporting-to-catalog',
  'security.istio.io/v1 PeerAuthentication shop/default',
  'telemetry.istio.io/v1 Telemetry shop/frontend',
  'v1 Namespace shop',
  'v1 Service shop/catalog',
  'v1 ServiceAccount shop/catalog',
  'v1 ServiceAccount shop/frontend',
  'v1 ServiceAccount shop/reporting',
];

const problems = [];
const files = fs.readdirSync('dist').filter((f) => f.endsWith('.k8s.yaml')).sort();
if (files.join(',') !== 'shop.k8s.yaml') problems.push(`dist/ holds ${JSON.stringify(files)}, expected ["shop.k8s.yaml"] (one chart)`);
const objects = files.flatMap((f) => Yaml.load(`dist/${f}`));
const got = objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).sort();
const missing = EXPECTED.filter((e) => !got.includes(e));
const extra = got.filter((g) => !EXPECTED.includes(g));
if (missing.length > 0 || extra.length > 0 || got.length !== EXPECTED.length) {
  problems.push(`objects in dist/*.k8s.yaml differ: missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)} (${got.length} objects, expected ${EXPECTED.length})`);
}

// the report cdk8s synth writes with --validation-reports-output-file: one plugin, cdk8s-istio's, which
// checked every object and found nothing
const reports = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).reports.map((r) => ({
  plugin: r.summary.plugin, status: r.summary.status, objects: r.summary.metadata?.objects, violations: r.violations.length,
}));
const want = { plugin: path.resolve('node_modules/cdk8s-istio'), status: 'success', objects: String(EXPECTED.length), violations: 0 };
if (JSON.stringify(reports) !== JSON.stringify([want])) {
  problems.push(`validation reports ${JSON.stringify(reports)}, expected [${JSON.stringify(want)}]`);
}

if (problems.length > 0) {
  for (const p of problems) console.error(`check-synth: ${p}`);
  process.exit(1);
}
console.log(`check-synth: dist/shop.k8s.yaml holds the ${EXPECTED.length} expected objects; validation plugin: ${JSON.stringify(reports[0])}`);
