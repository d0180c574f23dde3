#!/usr/bin/env node
// Usage: node scripts/bench-validate.js [N]   (after `npx projen compile`; `npx projen bench:validate` does both)
// Validates N generated documents (default 10,000: Services, their two Deployments, VirtualServices,
// DestinationRules, AuthorizationPolicies, PeerAuthentications, Gateway API HTTPRoutes, ServiceMonitors; every
// 10th service also a ServiceEntry, Telemetry, RequestAuthentication and Gateway) with the compiled
// lib/: CRD schema + CEL conformance of each, then the cross-resource mesh rules over all of them.
// Target: <= 3 s on 2 cores. Prints docs/s and the ratio to the target.
'use strict';
const { performance } = require('perf_hooks');
const { ConformanceValidator } = require('../lib');
const { _validateDocuments } = require('../lib/validation/_mesh');
const { _RULES } = require('../lib/validation/_rules');

const N = Number(process.argv[2] ?? 10000);
const TARGET_MS = 3000 * (N / 10000);

function docsFor(i, ns = `team-${i % 50}`) {
  const name = `svc-${i}`;
  const host = `${name}.${ns}.svc.cluster.local`;
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns },
      spec: { host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { http: { idleTimeout: '30s' } }, outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' } },
        subsets: [{ name: 'stable', labels: { version: 'v1' } }, { name: 'canary', labels: { version: 'v2' } }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns },
      spec: { hosts: [name], http: [{ match: [{ uri: { prefix: '/api' } }], timeout: '5s', retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' },
        route: [{ destination: { host: name, subset: 'stable', port: { number: 8080 } }, weight: 90 }, { destination: { host: name, subset: 'canary', port: { number: 8080 } }, weight: 10 }] }] } },
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/svc-${(i + 1)}`] } }], to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/*'] } }] }] } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: name } }, mtls: { mode: 'STRICT' } } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: ns },
      spec: { parentRefs: [{ name: 'edge', namespace: 'ingress' }], hostnames: [`${name}.example.com`], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name, port: 8080 }] }] } },
    { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, endpoints: [{ port: 'http', interval: '30s', path: '/metrics' }] } },
    // the workloads (pod templates: IST0173 subsets, annotation rules)
    ...['v1', 'v2'].map((version) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-${version}`, namespace: ns },
      spec: { selector: { matchLabels: { app: name, version } }, template: { metadata: { labels: { app: name, version }, annotations: { 'sidecar.istio.io/proxyCPU': '100m' } },
        spec: { containers: [{ name: 'app', image: `example/${name}:${version}`, ports: [{ containerPort: 8080 }] }] } } } })),
    // every 10th service: an egress ServiceEntry, a Telemetry, a RequestAuthentication and an edge Gateway
    ...(i % 10 === 0 ? [
      { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: `ext-${i}`, namespace: ns },
        spec: { hosts: [`ext-${i}.example.com`], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] } },
      { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name, namespace: ns },
        spec: { selector: { matchLabels: { app: name } }, accessLogging: [{ providers: [{ name: 'envoy' }] }] } },
      { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name, namespace: ns },
        spec: { selector: { matchLabels: { app: name } }, jwtRules: [{ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks.json' }] } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: `edge-${i}`, namespace: 'ingress' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [`${ns}/${name}.example.com`],
          tls: { mode: 'SIMPLE', credentialName: `${name}-cert` } }] } },
    ] : []),
  ];
}

// ---- synth-time overhead: the same app synthesized with and without MeshValidation (target: at most +20%)
//  (a) the library's own large app: scripts/bench.js's mesh of 1,000 services (17,306 objects in one chart,
//      every object built with this library or cdk8s-plus), generated and synthesized to YAML in a fresh
//      process per run, as `cdk8s synth` does. Each checked object of the library is rendered once: the
//      output takes the render the checks made.
//  (b) raw ApiObjects in 20 charts (2,000 services x Service, 2 Deployments, DestinationRule, VirtualService,
//      AuthorizationPolicy), checks switched on with enableAtSynth(): objects the library did not build,
//      in several charts, are rendered twice (once for the checks, once for the output).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { App, Chart, ApiObject } = require('cdk8s');
const { MeshValidation } = require('../lib');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (checked, plain) => { const d = (checked / plain - 1) * 100; return `${d >= 0 ? "+" : ""}${d.toFixed(0)}%`; };

function libraryAppChild(checked, services) {
  const cdk8s = require('cdk8s');
  const kplus = require('cdk8s-plus-27');
  const lib = require('../lib');
  const { generate } = require('./bench');
  // time inside the synth-time checks (an upper bound of their direct cost: it includes rendering the
  // checked objects, which the output then takes instead of rendering them itself)
  let checksMs = 0;
  const synthErrors = lib.MeshValidation.prototype.synthErrors;
  lib.MeshValidation.prototype.synthErrors = function timed() {
    const c0 = performance.now();
    try { return synthErrors.call(this); } finally { checksMs += performance.now() - c0; }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const app = generate(lib, cdk8s, kplus, services);
  if (!checked) MeshValidation.disable(app);
  app.synthYaml();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0, checksMs }));
}

function libraryApp(services, runs) {
  const one = (checked) => JSON.parse(execFileSync(process.execPath,
    ['--max-old-space-size=4096', __filename, '--library-app', checked ? 'checked' : 'plain', String(services)], { encoding: 'utf8' }));
  const plain = [];
  const checked = [];
  for (let r = 0; r < runs; r++) {
    plain.push(one(false));
    checked.push(one(true));
  }
  const line = (what, key) => {
    const p = plain.map((x) => x[key]);
    const c = checked.map((x) => x[key]);
    return `${what} median ${median(p).toFixed(0)} -> ${median(c).toFixed(0)} ms: ${pct(median(c), median(p))}, `
      + `fastest ${Math.min(...p).toFixed(0)} -> ${Math.min(...c).toFixed(0)} ms: ${pct(Math.min(...c), Math.min(...p))}`;
  };
  console.log(`(a) library app, ${services} services, generate + synthYaml, ${runs} fresh processes each (without -> with checks):`);
  console.log(`    ${line('wall', 'wallMs')}`);
  console.log(`    ${line('CPU ', 'cpuMs')}   (target <= +20%)`);
  console.log(`    runs without: ${plain.map((x) => (x.wallMs / 1000).toFixed(2)).join('/')} s, with: ${checked.map((x) => (x.wallMs / 1000).toFixed(2)).join('/')} s`);
  const inChecks = median(checked.map((x) => x.checksMs));
  console.log(`    time inside the checks (median, incl. rendering what the output reuses): ${inChecks.toFixed(0)} ms = ${(inChecks / median(plain.map((x) => x.wallMs)) * 100).toFixed(1)}% of the synth without checks`);
}

function rawApp(validate) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const app = new App({ outdir });
  for (let c = 0; c < 20; c++) {
    const chart = new Chart(app, `team-${c}`, { namespace: `team-${c}` });
    for (let i = 0; i < 100; i++) {
      for (const doc of docsFor(c * 100 + i, `team-${c}`).slice(0, 4)) {
        const { metadata, ...rest } = doc;
        new ApiObject(chart, `${doc.kind}-${i}`, { ...rest, metadata: { name: metadata.name } });
      }
      // and the workloads behind each Service, one per subset (the checks read their pod templates: IST0173, ...)
      for (const version of ['v1', 'v2']) {
        const name = `svc-${c * 100 + i}`;
        new ApiObject(chart, `Deployment-${i}-${version}`, {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-${version}` },
          spec: { replicas: 2, selector: { matchLabels: { app: name, version } }, template: { metadata: { labels: { app: name, version } },
            spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/app:1.0.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } } },
        });
      }
    }
  }
  if (validate) MeshValidation.of(app).enableAtSynth();
  return { app, outdir };
}
function timeRawSynth(validate) {
  const { app, outdir } = rawApp(validate);
  const cpu0 = process.cpuUsage();
  app.synth();
  const cpu = process.cpuUsage(cpu0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return (cpu.user + cpu.system) / 1000; // CPU time: less sensitive to a busy machine than wall time
}

function main() {
  const docs = [];
  for (let i = 0; docs.length < N; i++) docs.push(...docsFor(i));
  docs.length = N;
  const input = docs.map((doc) => ({ doc, file: 'bench.yaml' }));

  const v = ConformanceValidator.builtIn();
  // warm-up on a different small set (compiles the schemas once per kind, as a real run does too)
  const t0 = performance.now();
  _validateDocuments(docsFor(1e6).map((doc) => ({ doc })), v);
  const compileMs = performance.now() - t0;

  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const findings = _validateDocuments(input, v);
  const ms = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    console.error(`unexpected findings in generated documents: ${errors.length}, e.g. ${JSON.stringify(errors[0])}`);
    process.exit(1);
  }
  const total = ms + compileMs;
  console.log(`validated ${N} documents in ${ms.toFixed(0)} ms (+ ${compileMs.toFixed(0)} ms one-time: loading the precompiled schema validators, or compiling them when running from source): ${(N / (total / 1000)).toFixed(0)} docs/s`);
  console.log(`CPU time of the validation run: ${cpuMs.toFixed(0)} ms (wall time above includes waiting for a busy machine; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  console.log(`target ${TARGET_MS.toFixed(0)} ms: ratio ${(total / TARGET_MS).toFixed(2)} (<= 1.00 meets it) ${total <= TARGET_MS ? 'OK' : 'SLOWER THAN TARGET'}`);
  process.exitCode = total <= TARGET_MS ? 0 : 1;
  const byRule = new Map();
  for (const f of findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  console.log(`mesh rules registered: ${_RULES.filter((r) => r.check).length} (every one ran); warnings: ${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`);
  const { _meshChecks } = require('../lib/validation/_mesh');
  const cpuRules0 = process.cpuUsage();
  _meshChecks(input);
  const cpuRules = process.cpuUsage(cpuRules0);
  console.log(`of which the mesh rules alone (one indexed pass, ${_RULES.filter((r) => r.check).length} rules): CPU ${((cpuRules.user + cpuRules.system) / 1000).toFixed(0)} ms`);
  if (process.env.BENCH_VALIDATE_ONLY) return; // the 10,000-document line only

  console.log('synth-time checks, added synth time:');
  libraryApp(Number(process.env.BENCH_SERVICES || 1000), Number(process.env.BENCH_RUNS || 5));
  timeRawSynth(true); // warm-up (schema compilation, JIT)
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push([timeRawSynth(false), timeRawSynth(true)]);
  const best = (i) => Math.min(...runs.map((x) => x[i]));
  const [plain, checked] = [best(0), best(1)];
  console.log(`(b) raw ApiObjects in 20 charts, 2,000 services (12,000 objects), app.synth() in one warm process, best of 3: CPU ${plain.toFixed(0)} ms without checks, ${checked.toFixed(0)} ms with: ${pct(checked, plain)}`);
}

if (process.argv[2] === '--library-app') {
  libraryAppChild(process.argv[3] === 'checked', Number(process.argv[4]));
} else {
  main();
}
