import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/validation/cli';

// The corpus of misconfigured manifests (one problem per file) and clean ones: test/fixtures/README.md.

function run(args: string[]): { code: number; out: string } {
  let out = '';
  const code = main(args, { write: (s: string) => (out += s) }, { write: () => undefined });
  return { code, out };
}
const dir = (name: string) => path.join(__dirname, '..', 'fixtures', name);
const yamlFiles = (name: string) => fs.readdirSync(dir(name)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir(name), f));

// Some files' one problem is one Istio itself rates a warning (IST0107, IST0108, IST0123, IST0130, IST0138,
// MESH303): by default the CLI, like istioctl analyze, does not fail on warnings. A pipeline that wants them to
// fail says so with --failure-threshold warning (istioctl's flag), and so does this corpus run.
const WARNING_LEVEL = [
  'indep-authz-http-fields-on-tcp-port.yaml', // MESH303
  'indep-deployment-annotation-on-wrong-object.yaml', // IST0107
  'indep-gateway-duplicate-certificate.yaml', // IST0138
  'indep-namespace-two-injection-labels.yaml', // IST0123
  'indep-pod-template-annotation-typo.yaml', // IST0108
  'indep-vs-catch-all-first.yaml', // IST0130
  'indep2-ambient-sidecar-injection-labels.yaml', // IST0123
  'indep2-ambient-use-waypoint-missing.yaml', // KIA1313 (the waypoint may be installed elsewhere)
  'indep2-authz-principals-mtls-disabled.yaml', // KIA0105
  'indep2-gateway-port-not-on-service.yaml', // IST0162 (a warning in istioctl)
  'indep2-gatewayclass-unknown.yaml', // KIA1504 (another controller may own the class)
  'indep2-waypoint-listener-http.yaml', // MESH103 (istiod marks the listener not Accepted; Istio's own comment: "we could completely reject")
  'namespace-not-enrolled.yaml', // IST0102 without the namespace's workloads in the file: they may be injected by their own label
];

describe('the misconfigured-manifest corpus', () => {
  const files = yamlFiles('misconfigured');
  const results = files.map((file) => {
    const expect = /^# expect: (\S+) (\S+)/.exec(fs.readFileSync(file, 'utf8'))!;
    const r = run(['validate', '--failure-threshold', 'warning', file]);
    const byDefault = run(['validate', file]).code;
    const lines = r.out.split('\n').filter((l) => l.includes(`: ${expect[2]}: `));
    const named = lines.some((l) => / \[[A-Z0-9-]+( warning)?\] /.test(l));
    const warned = lines.some((l) => / \[[A-Z0-9-]+ warning\] /.test(l));
    return {
      file: path.basename(file),
      rule: expect[1],
      object: expect[2],
      detected: r.code === 1 && named,
      warnedOnly: byDefault === 0 && warned,
      ruleSeen: new RegExp(`\\[${expect[1]}( warning)?\\]`).test(r.out),
    };
  });

  test('every file states the expected rule and object', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const r of results) expect([r.file, r.object]).toEqual([r.file, expect.stringMatching(/^[A-Za-z]+\/[a-z0-9-]+(\/[a-z0-9-]+)?$/)]);
  });

  test('the CLI (--failure-threshold warning) exits 1 and names the offending object for at least 90 % of the files (each file with a rule id: that rule)', () => {
    const missed = results.filter((r) => !r.detected).map((r) => r.file);
    // indep-vs-dest-host-wrong-namespace: the destination's namespace is a typo (payments.billing for shop/payments); deciding
    // "no such Service" needs the whole namespace, which a folder of partial manifests does not give.
    // indep2-*: written by a second independent author; gateway-allowedroutes-same is reported (MESH406) on the HTTPRoute,
    // not on the Gateway the file names (seven were missed when the files came: they led to MESH307, MESH221, MESH103, and were
    // caught by the Kiali rules written at the same time: KIA1313, KIA0105, IST0162, KIA1504)
    expect(missed).toEqual([
      'indep-vs-dest-host-wrong-namespace.yaml',
      'indep2-gateway-allowedroutes-same.yaml',
    ]); // a new file the analyzer misses fails here until its rule exists
    // with the default threshold these exit 0: their problem is a warning in Istio too
    expect(results.filter((r) => r.warnedOnly).map((r) => r.file)).toEqual(WARNING_LEVEL);
    expect(results.filter((r) => r.detected).length / results.length).toBeGreaterThanOrEqual(0.9); // 82 of 84 today (97.6 %); 75 when the indep2 files came
    for (const r of results.filter((x) => !x.rule.startsWith('(') && !missed.includes(x.file))) expect([r.file, r.ruleSeen]).toEqual([r.file, true]);
  });

  test('the files written by an independent author (indep-*): exit 1 and named for 29 of 30 (6 of them warnings in Istio), 1 missed', () => {
    const indep = results.filter((r) => r.file.startsWith('indep-'));
    expect([indep.length, indep.filter((r) => r.detected).length, indep.filter((r) => r.warnedOnly).length]).toEqual([30, 29, 6]);
  });

  test('the files written by a second independent author (indep2-*): exit 1 and named for 24 of 25 (6 of them warnings), 1 missed (17 when they came)', () => {
    const indep2 = results.filter((r) => r.file.startsWith('indep2-'));
    expect([indep2.length, indep2.filter((r) => r.detected).length, indep2.filter((r) => r.warnedOnly).length]).toEqual([25, 24, 6]);
  });

  test.each(yamlFiles('clean').map((f) => [path.basename(f), f]))('%s: no finding, exit 0', (_name, file) => {
    expect(run(['validate', file])).toEqual({ code: 0, out: '' });
  });
  test('all clean files together: no finding', () => {
    expect(run(['validate', dir('clean')])).toEqual({ code: 0, out: '' });
  });
});
