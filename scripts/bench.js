#!/usr/bin/env node
// Scale benchmark (issue "Dependencies as code"): synthesizes generated meshes through the library and,
// in the same run, the same YAML through plain cdk8s ApiObjects (the floor). Each measurement runs in its
// own fresh node process (clean heap, honest peak RSS), the way `cdk8s synth` runs: the floor's process
// reads the library's objects as plain JSON (written once per size by an untimed step) and emits them, so
// it does not inherit the state of a process that ran the library. Every run must emit byte-identical YAML
// (sha256 compared). Needs the compiled library: `npx projen bench` compiles.
//
//   node scripts/bench.js [SIZES...]        default: 250 500 1000 2000
//   BENCH_RUNS=3 (runs per size, medians)  BENCH_LAYOUT=single-chart | chart-per-namespace
//   BENCH_BREAKDOWN=1 (also: where one library synthesis of 1,000 services spends its time)
//
// Per size it prints library time, floor time, their ratio, peak RSS, objects emitted, and the estimated
// outbound clusters per sidecar with and without Sidecar scoping. The last line summarizes 1,000 services
// (ratio and exponent from the fastest runs).
'use strict';
const { execFileSync } = require('child_process');
const os = require('os');
const path = require('path');

// Layout of the generated app: 'chart-per-namespace' (one cdk8s Chart per team namespace) or 'single-chart'.
// cdk8s re-validates the whole app once per chart at synth (App._synthChart), which is quadratic in the
// number of charts for any app; the single-chart layout isolates the library's own cost.
const LAYOUT = process.env.BENCH_LAYOUT || 'single-chart';
// runs per size and mode (each in a fresh process); the table shows medians
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS || 3));
const ISTIO_SYSTEM_CLUSTERS = 6; // istiod (grpc, https-dns, https-webhook, http-monitoring) + gateway ports, seen by every proxy

function generate(lib, cdk8s, kplus, n, layout = LAYOUT) {
  const app = new cdk8s.App({ outdir: path.join(os.tmpdir(), `cdk8s-istio-bench-${process.pid}`) });
  const perNs = 10;
  const nsCount = Math.ceil(n / perNs);
  const edgeChart = new cdk8s.Chart(app, 'edge');
  const edge = new lib.MeshGateway(edgeChart, 'edge', { namespace: lib.NamespaceRef.named('istio-ingress'), tls: lib.GatewayTls.simple({ credentialName: 'edge-cert' }) });
  const obs = new lib.MeshObservability(edgeChart, 'observability', {
    tracing: lib.TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }), samplingPercent: 1,
  });
  const deps = new lib.MeshDependencies(edgeChart, 'dependencies');
  const services = [];
  const namespaces = [];
  for (let k = 0; k < nsCount; k++) {
    const ns = `team-${k}`;
    const chart = layout === 'single-chart' ? edgeChart : new cdk8s.Chart(app, ns, { namespace: ns });
    namespaces.push(new lib.SecureNamespace(chart, `ns-${ns}`, { name: ns }));
    for (let j = 0; j < perNs && services.length < n; j++) {
      const name = `svc-${services.length}`;
      const sa = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata: { name, namespace: ns } });
      const canary = new lib.CanaryService(chart, name, {
        port: 8080, serviceAccount: sa, namespace: namespaces[k],
        stable: { image: `registry.example.com/${name}:1.0.0`, version: 'v1' },
        canary: { image: `registry.example.com/${name}:1.1.0`, version: 'v2' },
        canaryWeight: 10, canaryHeader: { name: 'x-canary', value: 'true' },
      });
      services.push({ canary, ns: namespaces[k] });
    }
  }
  services.forEach(({ canary, ns }, i) => {
    for (let d = 1; d <= 5; d++) {
      const callee = services[(i + d * 7) % services.length].canary;
      if (callee !== canary) deps.dependsOn(canary, callee, { methods: [lib.HttpMethod.GET] });
    }
    edge.expose(`${canary.workloadKey}.example.com`, canary);
    ns.allow(edge.identity).to(canary);
    obs.monitor(canary, { successRateSlo: 99.5, p99Latency: cdk8s.Duration.millis(250) });
  });
  return app;
}

function clusters(manifests) {
  // outbound clusters Istio builds per host: one per port, plus one per port and subset
  const ports = new Map();
  const subsets = new Map();
  for (const o of manifests) {
    if (o.kind === 'Service' && o.apiVersion === 'v1') {
      ports.set(`${o.metadata.name}.${o.metadata.namespace}.svc.cluster.local`, (o.spec.ports || []).length || 1);
    } else if (o.kind === 'DestinationRule') {
      subsets.set(o.spec.host, (o.spec.subsets || []).length);
    }
  }
  const perHost = (h) => (ports.get(h) || 0) * (1 + (subsets.get(h) || 0));
  let unscoped = ISTIO_SYSTEM_CLUSTERS;
  for (const h of ports.keys()) unscoped += perHost(h);
  const sidecars = manifests.filter((o) => o.kind === 'Sidecar');
  let scopedTotal = 0;
  for (const s of sidecars) {
    let c = 0;
    for (const e of s.spec.egress || []) {
      for (const h of e.hosts) {
        const [ns, host] = h.split('/');
        if (ns === 'istio-system' && host === '*') c += ISTIO_SYSTEM_CLUSTERS;
        else if (host === '*') for (const k of ports.keys()) { if (k.split('.')[1] === ns) c += perHost(k); }
        else c += perHost(host) || 1;
      }
    }
    scopedTotal += c;
  }
  return { unscoped, scoped: sidecars.length ? scopedTotal / sidecars.length : unscoped, sidecars: sidecars.length };
}

function sha256(text) {
  return require('crypto').createHash('sha256').update(text).digest('hex');
}

function child(mode, n, inputFile) {
  const cdk8s = require('cdk8s');
  const out = {};
  // both sides synthesize the way `cdk8s synth` does, to one YAML string: App.synthYaml() (validation,
  // dependency ordering, every chart's toJson(), YAML)
  if (mode === 'floor') {
    // the floor: a fresh process that has the library's objects as plain data (read from the file the
    // 'input' step wrote, untimed) and emits them through plain ApiObjects, as `cdk8s synth` of an app
    // written as raw objects would
    const charts = JSON.parse(require('fs').readFileSync(inputFile, 'utf8'));
    global.gc && global.gc();
    const t0 = process.hrtime.bigint();
    const app = new cdk8s.App();
    charts.forEach((objs, i) => {
      const chart = new cdk8s.Chart(app, `c${i}`);
      objs.forEach((o, j) => new cdk8s.ApiObject(chart, `o${j}`, o));
    });
    const docs = app.synthYaml();
    out.ms = Number(process.hrtime.bigint() - t0) / 1e6;
    out.sha256 = sha256(docs);
  } else {
    const kplus = require('cdk8s-plus-27');
    const lib = require(path.join(__dirname, '..', 'lib'));
    const t0 = process.hrtime.bigint();
    const app = generate(lib, cdk8s, kplus, n);
    if (mode === 'lib') {
      const docs = app.synthYaml();
      out.ms = Number(process.hrtime.bigint() - t0) / 1e6;
      out.sha256 = sha256(docs);
      // not timed: the objects again, for the counts
      const manifests = app.charts.flatMap((c) => c.toJson());
      out.objects = manifests.length;
      Object.assign(out, clusters(manifests));
    } else {
      // the floor's input (not timed): the objects the library emits, as plain JSON
      require('fs').writeFileSync(inputFile, JSON.stringify(app.charts.map((c) => c.toJson())));
    }
  }
  out.rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(out));
}

// Where one library synthesis spends its time (BENCH_BREAKDOWN=1): wall time inside the parts that are not
// the floor's work, measured by wrapping them, exclusively (a part called inside another is counted once, in
// the inner part). One run; garbage collection lands in whichever part is running when it happens.
function breakdown(n) {
  const cdk8s = require('cdk8s');
  const kplus = require('cdk8s-plus-27');
  const lib = require(path.join(__dirname, '..', 'lib'));
  const dependency = require('cdk8s/lib/dependency');
  const ms = { generate: 0, checks: 0, graphs: 0, kplusRender: 0, yaml: 0, total: 0 };
  const stack = [];
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const enter = (key) => {
    const t = now();
    if (stack.length) ms[stack[stack.length - 1].key] += t - stack[stack.length - 1].since;
    stack.push({ key, since: t });
  };
  const leave = () => {
    const t = now();
    const top = stack.pop();
    ms[top.key] += t - top.since;
    if (stack.length) stack[stack.length - 1].since = t;
  };
  const timed = (key, fn) => function (...args) {
    enter(key);
    try { return fn.apply(this, args); } finally { leave(); }
  };
  // cdk8s builds a dependency graph of every construct of the app (App.charts) and of each chart (chartToKube)
  const Graph = dependency.DependencyGraph;
  dependency.DependencyGraph = class extends Graph {
    constructor(node) { enter('graphs'); try { super(node); } finally { leave(); } }
    topology() { return timed('graphs', super.topology).call(this); }
  };
  // the synth-time checks (schema, CEL, mesh rules), including the renders they hand to the output
  const proto = lib.MeshValidation.prototype;
  proto.synthErrors = timed('checks', proto.synthErrors);
  // cdk8s-plus objects (Deployments, Services, ServiceAccounts, Namespaces) rendered through its generated converters
  for (const cls of Object.values(kplus.k8s)) {
    if (typeof cls === 'function' && cls.GVK && Object.prototype.hasOwnProperty.call(cls.prototype, 'toJson')) {
      cls.prototype.toJson = timed('kplusRender', cls.prototype.toJson);
    }
  }
  cdk8s.Yaml.stringify = timed('yaml', cdk8s.Yaml.stringify);
  const t0 = now();
  const app = timed('generate', generate)(lib, cdk8s, kplus, n);
  app.synthYaml();
  ms.total = now() - t0;
  const times = { ...ms }; // before counting the objects (which synthesizes again)
  const constructs = app.node.findAll().length;
  const objects = app.charts.reduce((sum, c) => sum + c.toJson().length, 0);
  process.stdout.write(JSON.stringify({ ms: times, constructs, objects, floorConstructs: objects + app.charts.length + 1 }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function spread(msList) {
  return msList.map((ms) => (ms / 1000).toFixed(2)).join('/');
}

function run(mode, n, inputFile = '') {
  const stdout = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', __filename, '--child', mode, String(n), inputFile],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  return stdout ? JSON.parse(stdout) : undefined;
}

module.exports = { generate, clusters };

if (require.main !== module) {
  // required by a profiling script: nothing to run
} else if (process.argv[2] === '--child') {
  if (process.argv[3] === 'breakdown') breakdown(Number(process.argv[4]));
  else child(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const list = sizes.length ? sizes : [250, 500, 1000, 2000];
  console.log(`machine: ${os.cpus().length} cpu (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; layout: ${LAYOUT}; median of ${RUNS} runs`);
  console.log('services  objects   lib_s  floor_s  ratio  lib_min  floor_min  ratio_min  lib_rss_mib  clusters/sidecar(scoped)  (unscoped)  scoped_pct');
  const results = {};
  for (const n of list) {
    // RUNS runs per size, library and floor interleaved; times are medians (garbage collection makes a
    // single run of a large heap vary by +-15 %), peak RSS is the largest seen
    const inputFile = path.join(os.tmpdir(), `cdk8s-istio-bench-${process.pid}-${n}.json`);
    run('input', n, inputFile);
    const ls = [];
    const fs = [];
    try {
      for (let r = 0; r < RUNS; r++) {
        ls.push(run('lib', n));
        fs.push(run('floor', n, inputFile));
      }
    } finally {
      require('fs').rmSync(inputFile, { force: true });
    }
    const l = { ...ls[0], ms: median(ls.map((x) => x.ms)), rssMiB: Math.max(...ls.map((x) => x.rssMiB)), runs: ls.map((x) => x.ms) };
    const f = { ...fs[0], ms: median(fs.map((x) => x.ms)), runs: fs.map((x) => x.ms) };
    results[n] = { l, f };
    // the floor emits exactly the library's YAML, in every run
    for (const x of [...ls, ...fs]) {
      if (x.sha256 !== ls[0].sha256) throw new Error(`the runs at ${n} services did not emit the same YAML (sha256 ${x.sha256} vs ${ls[0].sha256})`);
    }
    const lMin = Math.min(...l.runs);
    const fMin = Math.min(...f.runs);
    console.log([
      String(n).padStart(8), String(l.objects).padStart(8), (l.ms / 1000).toFixed(2).padStart(7), (f.ms / 1000).toFixed(2).padStart(8),
      (l.ms / f.ms).toFixed(2).padStart(6), (lMin / 1000).toFixed(2).padStart(8), (fMin / 1000).toFixed(2).padStart(10), (lMin / fMin).toFixed(2).padStart(10),
      l.rssMiB.toFixed(0).padStart(12), l.scoped.toFixed(1).padStart(25), String(l.unscoped).padStart(11),
      ((l.scoped / l.unscoped) * 100).toFixed(2).padStart(11),
      `   lib runs ${spread(l.runs)}, floor runs ${spread(f.runs)}`,
    ].join(' '));
  }
  if (results[1000] && results[2000]) {
    const a = results[1000].l;
    const b = results[2000].l;
    console.log(`t2000/t1000: ${(b.ms / a.ms).toFixed(2)} (medians), ${(Math.min(...b.runs) / Math.min(...a.runs)).toFixed(2)} (fastest runs); `
      + `scaling exponent (log2 t2000/t1000, medians): ${Math.log2(b.ms / a.ms).toFixed(2)}`);
  }
  if (process.env.BENCH_BREAKDOWN) {
    const n = results[1000] ? 1000 : list[list.length - 1];
    const b = run('breakdown', n);
    const s = (k) => `${(b.ms[k] / 1000).toFixed(2)} s`;
    const other = b.ms.total - b.ms.generate - b.ms.checks - b.ms.graphs - b.ms.kplusRender - b.ms.yaml;
    console.log(`breakdown, ${n} services (one library run): ${s('total')} = construction ${s('generate')} + checks ${s('checks')} `
      + `+ cdk8s dependency graphs ${s('graphs')} (${b.constructs} constructs; the floor has ${b.floorConstructs}) `
      + `+ cdk8s-plus renders ${s('kplusRender')} + YAML ${s('yaml')} + the rest ${(other / 1000).toFixed(2)} s`);
  }
  const r = results[1000];
  if (r) {
    // from the fastest run of each side: interference (garbage collection falling into its slow pattern, a
    // busy machine) only ever slows a run down, and a median skewed by slow floor runs would flatter the
    // library (the table shows the medians too)
    const fastest = (x) => Math.min(...x.runs);
    const exponent = results[2000] ? Math.log2(fastest(results[2000].l) / fastest(r.l)).toFixed(2) : 'n/a';
    console.log(`bench: services=1000 ratio=${(fastest(r.l) / fastest(r.f)).toFixed(2)} exponent=${exponent} rss_mib=${r.l.rssMiB.toFixed(0)} scoped_clusters_pct=${((r.l.scoped / r.l.unscoped) * 100).toFixed(2)}`);
  }
}
