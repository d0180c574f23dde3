// The compiled library loads and runs its CEL rules with plain require() where Node cannot require() an ES
// module (Node < 20.19, simulated with --no-experimental-require-module), as in a stock ts-jest app.
// Run by .ci/run after `npx projen compile`:  node --no-experimental-require-module scripts/check-cjs.js
'use strict';
const lib = require('../lib');
const gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'edge', namespace: 'istio-ingress' },
  // CEL rule of the standard CRD: tls must not be set on an HTTP listener (the finding proves CEL ran)
  spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] } }] },
};
const findings = lib.ConformanceValidator.builtIn().validate(gateway);
const cel = findings.filter((f) => f.rule === 'K8S-CEL');
if (cel.length === 0) {
  console.error(`check-cjs: expected a K8S-CEL finding on an HTTP listener with tls, got ${JSON.stringify(findings)}`);
  process.exit(1);
}
const loaded = Object.keys(require.cache).filter((k) => k.includes('cel-js'));
if (loaded.some((k) => k.includes('node_modules'))) {
  console.error(`check-cjs: cel-js was loaded from node_modules, not from the bundled lib/vendor copy: ${loaded.join(', ')}`);
  process.exit(1);
}
console.log(`check-cjs: the library loads with require() without ESM support; CEL ran from ${loaded.map((k) => k.replace(process.cwd() + '/', '')).join(', ')} (${cel[0].message.slice(0, 80)}...)`);
