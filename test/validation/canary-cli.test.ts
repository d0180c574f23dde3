import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { CanaryService, MeshObservability, MetricsReporter } from '../../src';
import { main, mainAsync } from '../../src/validation/cli';
import { CANARIES, T0, openMetrics } from '../canary-series';
import { TestPrometheus, describeWithBinaries, freePort, startPrometheus } from '../prometheus';

/** The evaluation time: 30 minutes into the 40 minutes of synthetic series. */
const EVAL = T0 + 1800;

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-canary-'));
}

/** An app with the five synthetic canaries (steps 10/25/50/100, step from the state file), synthesized into `dir`/dist. */
type Schedule = { steps?: number[]; canaryWeight?: number };
function synthApp(dir: string, state: { [k: string]: number | string }, schedule: Schedule = { steps: [10, 25, 50, 100] }): string {
  const stateFile = path.join(dir, 'canary-state.json');
  fs.writeFileSync(stateFile, `${JSON.stringify(state, undefined, 2)}\n`);
  const app = Testing.app();
  app.node.setContext(CanaryService.STATE_FILE_CONTEXT_KEY, stateFile);
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const obs = new MeshObservability(chart, 'obs', { recordingRules: false, scraping: false, meshDashboard: false });
  for (const c of CANARIES) {
    const canary = new CanaryService(chart, c.service, {
      port: 8080,
      stable: { image: `ghcr.io/acme/${c.service}:1`, version: 'v1' },
      canary: { image: `ghcr.io/acme/${c.service}:2`, version: 'v2' },
      ...schedule,
    });
    obs.monitor(canary, {
      successRateSlo: 99.5,
      p99Latency: Duration.millis(250),
      dashboards: false,
      reporter: c.dataPlane === 'waypoint' ? MetricsReporter.WAYPOINT : undefined,
    });
  }
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(dist);
  fs.writeFileSync(path.join(dist, 'shop.k8s.yaml'), Testing.synth(chart).map((d) => JSON.stringify(d)).join('\n---\n'));
  return dist;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await mainAsync(args, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

test('canary --help exits 0 and documents the exit codes', async () => {
  const r = await run(['canary', '--help']);
  expect(r.code).toBe(0);
  expect(r.out).toContain('usage: cdk8s-istio canary status|advance|report --prometheus URL');
  expect(r.out).toContain('Exit 0: every canary promotes; 1: a canary rolls back; 3: a canary holds (none rolls back); 2: usage');
});

test('the synchronous entry point prints canary help and refuses the asynchronous commands', () => {
  let out = '';
  let err = '';
  expect(main(['canary', '--help'], { write: (s: string) => (out += s) }, { write: () => undefined })).toBe(0);
  expect(out).toContain('usage: cdk8s-istio canary');
  expect(main(['canary', 'status', '--prometheus', 'http://x', 'dist'], { write: () => undefined }, { write: (s: string) => (err += s) })).toBe(2);
  expect(err).toEqual('cdk8s-istio canary: queries Prometheus asynchronously: run it through bin/cdk8s-istio (mainAsync)\n');
});

test('canary: usage errors exit 2', async () => {
  expect((await run(['canary', 'status', 'dist'])).err).toContain('--prometheus URL is required');
  expect((await run(['canary', 'promote', '--prometheus', 'http://x'])).code).toBe(2);
  expect((await run(['canary', 'status', '--prometheus', 'ftp://x', 'dist'])).err).toContain('--prometheus is an http(s) URL, got ftp://x');
  expect((await run(['canary', 'status', '--prometheus', 'http://x', '--header', 'nocolon', 'dist'])).err).toContain('--header is "NAME: VALUE", got nocolon');
  expect((await run(['canary', 'status', '--prometheus', 'http://x', '--time', 'yesterday', 'dist'])).code).toBe(2);
});

test('canary status: an unreachable Prometheus holds with exit 2, and advance writes nothing', async () => {
  const dir = tmpDir();
  const dist = synthApp(dir, { 'shop/healthy': 1 });
  const before = fs.readFileSync(path.join(dir, 'canary-state.json'), 'utf8');
  const port = await freePort(); // nobody listens there
  const r = await run(['canary', 'advance', '--prometheus', `http://127.0.0.1:${port}`, '--time', String(EVAL), dist]);
  expect(r.code).toBe(2);
  expect(r.err).toEqual(`cdk8s-istio canary: cannot decide, so every canary holds: Prometheus at http://127.0.0.1:${port} is unreachable (ECONNREFUSED); nothing written\n`);
  expect(fs.readFileSync(path.join(dir, 'canary-state.json'), 'utf8')).toEqual(before);
});

test('canary status: the auth headers (--header, --header-file) reach Prometheus; an empty answer holds', async () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    const matrix = req.url!.startsWith('/api/v1/query_range');
    res.end(JSON.stringify({ status: 'success', data: { resultType: matrix ? 'matrix' : 'vector', result: [] } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const dir = tmpDir();
  const dist = synthApp(dir, {});
  fs.writeFileSync(path.join(dir, 'headers'), 'Authorization: Bearer s3cret\n\n');
  const r = await run(['canary', 'status', '--prometheus', `http://127.0.0.1:${port}/`, '--header-file', path.join(dir, 'headers'),
    '--header', 'X-Scope-OrgID: team-a', '--time', String(EVAL), '--canary', 'shop/healthy', dist]);
  server.close();
  expect(r.code).toBe(3);
  expect(seen.length).toBe(10); // 6 instant + 4 range queries
  expect(seen.every((h) => h.authorization === 'Bearer s3cret' && h['x-scope-orgid'] === 'team-a')).toBe(true);
  fs.writeFileSync(path.join(dir, 'bad'), 'Bearer s3cret\n');
  const bad = await run(['canary', 'status', '--prometheus', 'http://x', '--header-file', path.join(dir, 'bad'), dist]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain(`--header-file ${path.join(dir, 'bad')} line 1 is not "NAME: VALUE"`);
  expect(bad.err).not.toContain('s3cret');
});

test('canary status: manifests without a canary analysis exit 2', async () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: shop }\n');
  const r = await run(['canary', 'status', '--prometheus', 'http://127.0.0.1:1', dir]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('no canary analysis in');
});

describeWithBinaries(['prometheus', 'promtool'], 'canary loop against a real Prometheus (synthetic TSDB blocks)', () => {
  let prom: TestPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus(openMetrics(CANARIES, 2400));
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
  });

  test('status: healthy promotes, erroring and slow roll back, too little traffic holds; both data planes', async () => {
    const dir = tmpDir();
    const dist = synthApp(dir, { 'shop/ambient': 1, 'shop/erroring': 1, 'shop/healthy': 1, 'shop/quiet': 1, 'shop/slow': 1 });
    const r = await run(['canary', 'status', '--prometheus', prom.url, '--time', String(EVAL), '--format', 'json', dist]);
    expect(r.err).toEqual('');
    expect(r.code).toBe(1); // a rollback wins
    const json = JSON.parse(r.out);
    expect(json.canaries.map((c: any) => [c.canary, c.verdict])).toEqual([
      ['shop/ambient', 'promote'],
      ['shop/erroring', 'rollback'],
      ['shop/healthy', 'promote'],
      ['shop/quiet', 'hold'],
      ['shop/slow', 'rollback'],
    ]);
    const by = (id: string) => json.canaries.find((c: any) => c.canary === id);
    expect(by('shop/healthy').reasons).toEqual(['10 of 10 checks passed (0 failed, 1 allowed); the 10m window meets every objective']);
    expect(by('shop/healthy').change).toEqual('promote: step 1 -> 2 (25% -> 50%)');
    expect(by('shop/healthy').evidence.canary.successRate).toBeCloseTo(0.999, 6);
    expect(by('shop/healthy').evidence.canary.latency).toBeCloseTo(175, 6); // 98% <= 100ms, all <= 250ms: p99 halfway
    expect(by('shop/healthy').evidence.canary.requests).toBeCloseTo(3000, 6); // 5 rps over 10m
    expect(by('shop/erroring').reasons).toEqual([
      '10 of 10 checks (every 1m) failed, more than the 1 allowed',
      'success rate 95% is below the 99.5% objective',
      'success rate 95% is more than 1 points below stable\'s 99.9%',
    ]);
    expect(by('shop/slow').reasons).toEqual([
      '10 of 10 checks (every 1m) failed, more than the 1 allowed',
      'p99 495ms is above the 250ms objective',
      'p99 495ms is more than 1.2x stable\'s 175ms',
    ]);
    expect(by('shop/quiet').reasons).toEqual(['too little traffic: 60 canary requests in 10m, the analysis needs at least 100']);
    // the waypoint's per-version Services
    expect(by('shop/ambient').queries.canary.successRate).toContain('reporter="waypoint",destination_service_namespace="shop",destination_service_name="ambient-v2"');
    expect(by('shop/healthy').queries.canary.successRate).toEqual(
      '(sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="healthy",destination_version="v2",response_code!~"5.."}[10m]))'
      + ' / sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="healthy",destination_version="v2"}[10m])))');
  });

  test('status (text): one verdict per canary with the evidence and the query', async () => {
    const dir = tmpDir();
    const dist = synthApp(dir, { 'shop/healthy': 1 });
    const r = await run(['canary', 'status', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/healthy', dist]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 3)).toEqual([
      'shop/healthy: promote (promote: step 1 -> 2 (25% -> 50%))',
      '  10 of 10 checks passed (0 failed, 1 allowed); the 10m window meets every objective',
      '  canary v2: requests 3000, success 99.9%, p99 175ms | stable v1: requests 12000, success 99.9%, p99 175ms | objective: success >= 99.5%, p99 <= 250ms, over 10m',
    ]);
    expect(r.out).toContain('  query: (sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="healthy",destination_version="v2",response_code!~"5.."}[10m]))');
  });

  test('status: a hold alone exits 3; a time before any data holds (missing data never promotes)', async () => {
    const dir = tmpDir();
    const dist = synthApp(dir, {});
    expect((await run(['canary', 'status', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/quiet', dist])).code).toBe(3);
    const early = await run(['canary', 'status', '--prometheus', prom.url, '--time', String(T0 - 3600), '--canary', 'shop/healthy', '--format', 'json', dist]);
    expect(early.code).toBe(3);
    expect(JSON.parse(early.out).canaries[0].reasons).toEqual(['too little traffic: 0 canary requests in 10m, the analysis needs at least 100']);
    expect(JSON.parse(early.out).canaries[0].evidence.canary).toEqual({ requests: null, successRate: null, latency: null });
  });

  test('advance changes exactly the promoted canary\'s step (one line), writes rollbacks, leaves holds', async () => {
    const dir = tmpDir();
    const state = { 'shop/ambient': 2, 'shop/erroring': 1, 'shop/healthy': 1, 'shop/quiet': 1, 'shop/slow': 1 };
    const dist = synthApp(dir, state);
    const file = path.join(dir, 'canary-state.json');
    const before = fs.readFileSync(file, 'utf8').split('\n');
    // the promoted canary alone
    const one = await run(['canary', 'advance', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/healthy', dist]);
    expect(one.code).toBe(0);
    const after = fs.readFileSync(file, 'utf8').split('\n');
    expect(after.filter((l, i) => l !== before[i])).toEqual(['  "shop/healthy": 2,']);
    expect(before.filter((l, i) => l !== after[i])).toEqual(['  "shop/healthy": 1,']);
    expect(one.out).toContain(`wrote ${file}`);
    // a hold writes nothing
    const hold = await run(['canary', 'advance', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/quiet', dist]);
    expect(hold.code).toBe(3);
    expect(fs.readFileSync(file, 'utf8').split('\n')).toEqual(after);
    // every canary: the rollbacks are written as "rollback"; the app then sends all traffic to stable
    const all = await run(['canary', 'advance', '--prometheus', prom.url, '--time', String(EVAL), dist]);
    expect(all.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      'shop/ambient': 3, 'shop/erroring': 'rollback', 'shop/healthy': 2, 'shop/quiet': 1, 'shop/slow': 'rollback',
    });
  });

  test('advance never writes for a canary whose weight the app fixes (canaryWeight), and says so; nor past the last step', async () => {
    const dir = tmpDir();
    const dist = synthApp(dir, {}, { canaryWeight: 25 });
    const file = path.join(dir, 'canary-state.json');
    const r = await run(['canary', 'advance', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/healthy', dist]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toEqual('shop/healthy: promote (promote: no steps schedule, move canaryWeight (25%) by hand; nothing to write)');
    expect(fs.readFileSync(file, 'utf8')).toEqual('{}\n');
    const last = tmpDir();
    const lastDist = synthApp(last, { 'shop/healthy': 3 });
    const r2 = await run(['canary', 'advance', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/healthy', lastDist]);
    expect(r2.out.split('\n')[0]).toEqual('shop/healthy: promote (promoted fully (100%): finish the release by making v2 the stable version; nothing to write)');
    expect(JSON.parse(fs.readFileSync(path.join(last, 'canary-state.json'), 'utf8'))).toEqual({ 'shop/healthy': 3 });
  });

  test('report: Markdown with verdicts, numbers against the SLO, queries, and one SVG per canary (deterministic)', async () => {
    const dir = tmpDir();
    const dist = synthApp(dir, { 'shop/healthy': 1, 'shop/slow': 1 });
    const out = path.join(dir, 'report');
    const r = await run(['canary', 'report', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/healthy', '--canary', 'shop/slow', '--out', out, dist]);
    expect(r.code).toBe(1);
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(r.out).toEqual(md);
    expect(md.split('\n').slice(0, 18)).toEqual([
      '## Canary analysis',
      '',
      'Evaluated at 2026-01-01T00:30:00Z: 1 promote, 0 hold, 1 rollback.',
      '',
      '### shop/healthy: **promote**',
      '',
      'promote: step 1 -> 2 (25% -> 50%).',
      '',
      '- 10 of 10 checks passed (0 failed, 1 allowed); the 10m window meets every objective',
      '- checks (every 1m over 10m): 10 passed, 0 failed, 0 without data',
      '',
      '| over 10m | canary v2 | stable v1 | objective |',
      '|---|---|---|---|',
      '| requests | 3000 | 12000 | canary at least 100 |',
      '| success rate | 99.9% | 99.9% | at least 99.5%, at most 1 points below stable |',
      '| p99 latency | 175ms | 175ms | at most 250ms, at most 1.2x stable |',
      '',
      '![shop/healthy: canary vs stable over 10m](shop-healthy.svg)',
    ]);
    expect(md).toContain('### shop/slow: **rollback**\n\nroll back: 25% -> 0% (all traffic to stable v1).');
    expect(fs.readdirSync(out).sort()).toEqual(['report.md', 'shop-healthy.svg', 'shop-slow.svg']);
    const svg = fs.readFileSync(path.join(out, 'shop-slow.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="560" height="200"')).toBe(true);
    expect(svg).toContain('<title>shop/slow: rollback</title>');
    // canary latency (red) flat at 495ms, stable (blue) at 175ms, over 10 points
    expect(svg.match(/<polyline [^>]*>/g)!.length).toBe(4);
    // the same input gives the same bytes
    const again = path.join(dir, 'again');
    await run(['canary', 'report', '--prometheus', prom.url, '--time', String(EVAL), '--canary', 'shop/healthy', '--canary', 'shop/slow', '--out', again, dist]);
    for (const f of ['report.md', 'shop-healthy.svg', 'shop-slow.svg']) {
      expect(fs.readFileSync(path.join(again, f), 'utf8')).toEqual(fs.readFileSync(path.join(out, f), 'utf8'));
    }
  });
});

test('the app reads the state file: a step, a rollback, or nothing', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'state.json');
  const weight = (state?: string) => {
    if (state !== undefined) fs.writeFileSync(file, state);
    const app = new App();
    app.node.setContext(CanaryService.STATE_FILE_CONTEXT_KEY, file);
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    return new CanaryService(chart, 'catalog', { port: 8080, stable: { version: 'v1' }, canary: { version: 'v2' }, steps: [10, 25, 50, 100] }).canaryWeight;
  };
  expect(weight()).toBe(10); // no file yet: step 0
  expect(weight('{"shop/catalog": 2}')).toBe(50);
  expect(weight('{"shop/catalog": "rollback"}')).toBe(0);
  expect(weight('{"other/catalog": 3}')).toBe(10);
  expect(() => weight('{"shop/catalog": "next"}')).toThrow(`Invalid canary state file ${file} entry "shop/catalog" "next": a canary state is a step index or "rollback". Fix: set it to e.g. 1, or to "rollback"`);
  expect(() => weight('{"shop/catalog": 4}')).toThrow(`Invalid canary state file ${file} entry "shop/catalog" 4: the schedule has 4 steps (0..3). Fix: use a step from 0 to 3`);
  expect(() => weight('[1]')).toThrow(`Invalid canary state file "${file}": it is not a JSON object. Fix: write a JSON object such as {"shop/catalog": 1}`);
  expect(() => weight('{')).toThrow(`Invalid canary state file "${file}": it is not JSON`);
});
