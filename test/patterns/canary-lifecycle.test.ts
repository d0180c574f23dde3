import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { CanaryService, MeshEnrolment, SecureNamespace, TrafficDialect } from '../../src';
import { _transition, _transitionText } from '../../src/validation/_transition';
import { main } from '../../src/validation/cli';

const IMAGES: { [version: string]: string } = {
  v1: 'ghcr.io/acme/catalog:1.0.0',
  v2: 'ghcr.io/acme/catalog:2.0.0',
  v3: 'ghcr.io/acme/catalog:3.0.0',
};

/** One release of the README's cycle: the app as the user writes it at that point. */
function release(stable: string, canary: string | undefined, step = 0, rollback = false): any[] {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const catalog = new CanaryService(chart, 'catalog', {
    port: 8080,
    steps: [10, 25, 50, 100],
    step,
    stable: { version: stable, image: IMAGES[stable], replicas: 3 },
    canary: canary ? { version: canary, image: IMAGES[canary] } : undefined,
    canaryHeader: { name: 'x-canary', value: 'true' },
  });
  if (rollback) catalog.rollback();
  return Testing.synth(chart);
}

const CYCLE: Array<[string, any[]]> = [
  ['v1 stable, v2 canary at 10%', release('v1', 'v2', 0)],
  ['25%', release('v1', 'v2', 1)],
  ['50%', release('v1', 'v2', 2)],
  ['100%', release('v1', 'v2', 3)],
  ['v2 the new stable, no canary', release('v2', undefined)],
  ['v3 canary at 10%', release('v2', 'v3', 0)],
  ['rollback', release('v2', 'v3', 0, true)],
];
const objects = (docs: any[]) => docs.map((doc) => ({ doc }));
const deployment = (docs: any[], name: string) => docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
const SPLIT = 'weights: VirtualService/shop/catalog route canary-split';
const FQDN = 'catalog.shop.svc.cluster.local';

describe('CanaryService: a canary\'s whole life', () => {
  test.each(CYCLE.slice(1).map((step, i) => [CYCLE[i][0], step[0], CYCLE[i][1], step[1]]))(
    '%s -> %s: no immutable field changes, no route loses its target', (_from, _to, before, after) => {
      expect(_transition(objects(before as any[]), objects(after as any[])).findings).toEqual([]);
    });

  test('a weight step changes only the split (one line in review)', () => {
    const t = _transition(objects(CYCLE[0][1]), objects(CYCLE[1][1]));
    expect(t).toEqual({
      created: [],
      deleted: [],
      changed: ['VirtualService/shop/catalog'],
      findings: [],
      notes: [`${SPLIT}: ${FQDN}/stable 90%, ${FQDN}/canary 10% -> ${FQDN}/stable 75%, ${FQDN}/canary 25%`],
    });
  });

  test('promotion keeps the promoted version\'s Deployment (and its pods) untouched, and deletes the old one', () => {
    const [atHundred, promoted] = [CYCLE[3][1], CYCLE[4][1]];
    expect(deployment(promoted, 'catalog-v2')).toEqual({ ...deployment(atHundred, 'catalog-v2'), spec: { ...deployment(atHundred, 'catalog-v2').spec, replicas: 3 } });
    expect(deployment(promoted, 'catalog-v2').spec.template).toEqual(deployment(atHundred, 'catalog-v2').spec.template);
    const t = _transition(objects(atHundred), objects(promoted));
    expect(t.deleted).toEqual(['Deployment/shop/catalog-v1']);
    expect(t.created).toEqual([]);
    expect(t.changed).toEqual(['Deployment/shop/catalog-v2', 'DestinationRule/shop/catalog', 'VirtualService/shop/catalog']);
    expect(t.notes).toEqual([
      'replicas: Deployment/shop/catalog-v2: 1 -> 3',
      'subsets: DestinationRule/shop/catalog: stable=v1, canary=v2 -> stable=v2',
      `${SPLIT}: ${FQDN}/stable 0%, ${FQDN}/canary 100% -> ${FQDN}/stable 100%`,
      'route removed: VirtualService/shop/catalog route canary-override',
    ]);
  });

  test('between releases: stable only, routing ready for the next canary', () => {
    const steady = CYCLE[4][1];
    expect(steady.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ServiceAccount/catalog', 'Deployment/catalog-v2', 'Service/catalog', 'DestinationRule/catalog', 'VirtualService/catalog',
    ]);
    const vs = steady.find((d) => d.kind === 'VirtualService');
    expect(vs.spec.http).toEqual([{ name: 'canary-split', route: [{ destination: { host: FQDN, subset: 'stable' } }] }]);
    expect(steady.find((d) => d.kind === 'DestinationRule').spec.subsets).toEqual([{ name: 'stable', labels: { version: 'v2' } }]);
  });

  test('the next canary is created next to the running stable', () => {
    const t = _transition(objects(CYCLE[4][1]), objects(CYCLE[5][1]));
    expect(t.created).toEqual(['Deployment/shop/catalog-v3']);
    expect(t.changed).toEqual(['DestinationRule/shop/catalog', 'VirtualService/shop/catalog']);
    expect(t.notes).toContain(`route added: VirtualService/shop/catalog route canary-override: ${FQDN}/canary 100%`);
  });

  test('shiftTo() fails without a canary (rollback to 0% is a no-op)', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, stable: { version: 'v2' } });
    catalog.rollback();
    expect(catalog.canaryWeight).toEqual(0);
    expect(() => catalog.promote()).toThrow(
      'Invalid canaryWeight 100: catalog has no canary version now, so all traffic goes to stable. Fix: give props.canary (the next version) before shifting traffic to it');
  });

  test('fails on versions whose Deployment names collide', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    expect(() => new CanaryService(chart, 'catalog', { stable: { version: 'v1_rc' }, canary: { version: 'v1-rc' } })).toThrow(
      'Invalid canary.version "v1-rc": its Deployment name would be the same as stable\'s ("v1_rc"): names are DNS-safe, lowercase and at most 63 characters. '
      + 'Fix: give versions that differ in more than case and punctuation, e.g. "v2"');
  });
});

describe('transition checks', () => {
  const before = CYCLE[0][1];

  test('fails on a changed Deployment selector (what side-named Deployments did at promotion)', () => {
    const after = JSON.parse(JSON.stringify(before));
    deployment(after, 'catalog-v1').spec.selector.matchLabels.version = 'v2';
    expect(_transition(objects(before), objects(after)).findings).toEqual([{
      rule: 'IMMUTABLE_FIELD',
      object: 'Deployment/shop/catalog-v1',
      message: 'spec.selector changes ({"matchLabels":{"app":"catalog","version":"v1"}} -> {"matchLabels":{"app":"catalog","version":"v2"}}), which the API server refuses',
      fix: 'create a Deployment under a new name (e.g. one per version) and delete the old one',
    }]);
  });

  test('fails on a route to a subset the change deletes', () => {
    const after = JSON.parse(JSON.stringify(before));
    const dr = after.find((d: any) => d.kind === 'DestinationRule');
    dr.spec.subsets = dr.spec.subsets.filter((s: any) => s.name !== 'canary');
    expect(_transition(objects(before), objects(after)).findings.map((f) => [f.rule, f.object, f.message])).toEqual([
      ['TRAFFIC_LOSS', 'VirtualService/shop/catalog', `a route sends traffic to subset "canary" of ${FQDN}, which this change deletes (503 for those requests)`],
      ['TRAFFIC_LOSS', 'VirtualService/shop/catalog', `a route sends traffic to subset "canary" of ${FQDN}, which this change deletes (503 for those requests)`],
    ]);
  });

  test('fails on a changed clusterIP, a StatefulSet serviceName and the data of an immutable ConfigMap', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'a' }, spec: { clusterIP: '10.0.0.1' } };
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'a' }, spec: { serviceName: 'db' } };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' }, immutable: true, data: { k: '1' } };
    const t = _transition(objects([svc, sts, cm]), objects([
      { ...svc, spec: { clusterIP: '10.0.0.2' } }, { ...sts, spec: { serviceName: 'db2' } }, { ...cm, data: { k: '2' } },
    ]));
    expect(t.findings.map((f) => `${f.object}: ${f.message}`)).toEqual([
      'Service/a/s: spec.clusterIP changes (10.0.0.1 -> 10.0.0.2), which the API server refuses',
      'StatefulSet/a/db: spec.serviceName changes ("db" -> "db2"), which the API server refuses',
      'ConfigMap/a/c: the data of an immutable object changes, which the API server refuses',
    ]);
  });
});

describe('cdk8s-istio diff (CLI)', () => {
  const write = (docs: any[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-diff-'));
    fs.writeFileSync(path.join(dir, 'shop.k8s.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    return dir;
  };
  const run = (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = main(['diff', ...argv], { write: (s: string) => { out += s; } }, { write: (s: string) => { err += s; } });
    return { code, out, err };
  };

  test('each release step: exit 0 and the review summary', () => {
    const r = run(write(CYCLE[0][1]), write(CYCLE[1][1]));
    expect(r).toEqual({
      code: 0,
      err: '',
      out: `changed (1):\n  VirtualService/shop/catalog\nnotes (1):\n  ${SPLIT}: ${FQDN}/stable 90%, ${FQDN}/canary 10% -> ${FQDN}/stable 75%, ${FQDN}/canary 25%\n`,
    });
    for (let i = 1; i < CYCLE.length; i++) expect(run(write(CYCLE[i - 1][1]), write(CYCLE[i][1])).code).toEqual(0);
  });

  test('fails with exit 1 on an immutable-field change, and says so in JSON too', () => {
    const after = JSON.parse(JSON.stringify(CYCLE[0][1]));
    deployment(after, 'catalog-v2').spec.selector.matchLabels.version = 'v3';
    const [a, b] = [write(CYCLE[0][1]), write(after)];
    const text = run(a, b);
    expect(text.code).toEqual(1);
    expect(text.out).toContain('errors (1):\n  Deployment/shop/catalog-v2: [IMMUTABLE_FIELD] spec.selector changes');
    const json = run('--format', 'json', a, b);
    expect(json.code).toEqual(1);
    expect(JSON.parse(json.out).findings.map((f: any) => f.rule)).toEqual(['IMMUTABLE_FIELD']);
  });

  test('usage: --help exits 0 on stdout; a missing path or a bad format exits 2', () => {
    expect(run('--help')).toMatchObject({ code: 0, err: '' });
    expect(run('--help').out).toMatch(/^usage: cdk8s-istio diff/);
    expect(run(write([]))).toMatchObject({ code: 2, out: '' });
    expect(run(write([])).err).toMatch(/^cdk8s-istio diff: give exactly two outputs, OLD and NEW \(got 1\)/);
    expect(run('--format', 'yaml', 'a', 'b').err).toMatch(/^cdk8s-istio diff: --format is text or json, got yaml/);
  });
});

describe('README "The seed workflow, step by step"', () => {
  // the README's CanaryService (images 2.0.0 / 2.1.0 / 2.2.0), one release per step
  const readmeRelease = (stable: string, canary: string | undefined, canaryWeight: number, ambient = false) => {
    const images: { [v: string]: string } = { v1: 'ghcr.io/acme/catalog:2.0.0', v2: 'ghcr.io/acme/catalog:2.1.0', v3: 'ghcr.io/acme/catalog:2.2.0' };
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    if (ambient) new SecureNamespace(chart, 'shop-namespace', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    new CanaryService(chart, 'catalog', {
      port: 8080,
      stable: { image: images[stable], version: stable },
      canary: canary ? { image: images[canary], version: canary } : undefined,
      canaryWeight,
      canaryHeader: { name: 'x-canary', value: 'true' },
    });
    return objects(Testing.synth(chart));
  };
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

  test.each([
    ['10% -> 25%', readmeRelease('v1', 'v2', 10), readmeRelease('v1', 'v2', 25)],
    ['v2 the new stable', readmeRelease('v1', 'v2', 100), readmeRelease('v2', undefined, 0)],
    ['v3 canary at 10%', readmeRelease('v2', undefined, 0), readmeRelease('v2', 'v3', 10)],
  ])('shows what cdk8s-istio diff prints for %s', (_step, before, after) => {
    expect(readme).toContain('```text\n' + _transitionText(_transition(before, after)) + '```');
  });

  // "Sidecar or ambient": the same steps in the Gateway API dialect (the blocks are indented in a list item)
  test.each([
    ['v2 the new stable', readmeRelease('v1', 'v2', 100, true), readmeRelease('v2', undefined, 0, true)],
    ['v3 canary at 10%', readmeRelease('v2', undefined, 0, true), readmeRelease('v2', 'v3', 10, true)],
  ])('shows what cdk8s-istio diff prints for %s in ambient', (_step, before, after) => {
    const indented = (text: string) => text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
    expect(readme).toContain(indented('```text\n' + _transitionText(_transition(before, after)) + '```'));
  });
});

describe('CanaryService: a canary\'s whole life in the Gateway API dialect (ambient, with a waypoint)', () => {
  /** The same release as above, in an ambient namespace: the canary defaults to the Gateway API dialect. */
  function ambientRelease(stable: string, canary: string | undefined, step = 0, rollback = false): any[] {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new SecureNamespace(chart, 'shop-namespace', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    const catalog = new CanaryService(chart, 'catalog', {
      port: 8080,
      steps: [10, 25, 50, 100],
      step,
      stable: { version: stable, image: IMAGES[stable], replicas: 3 },
      canary: canary ? { version: canary, image: IMAGES[canary] } : undefined,
      canaryHeader: { name: 'x-canary', value: 'true' },
    });
    expect(catalog.routing).toEqual(TrafficDialect.GATEWAY_API);
    if (rollback) catalog.rollback();
    return Testing.synth(chart);
  }
  const GW_CYCLE: Array<[string, any[]]> = [
    ['v1 stable, v2 canary at 10%', ambientRelease('v1', 'v2', 0)],
    ['25%', ambientRelease('v1', 'v2', 1)],
    ['50%', ambientRelease('v1', 'v2', 2)],
    ['100%', ambientRelease('v1', 'v2', 3)],
    ['v2 the new stable, no canary', ambientRelease('v2', undefined)],
    ['v3 canary at 10%', ambientRelease('v2', 'v3', 0)],
    ['rollback', ambientRelease('v2', 'v3', 0, true)],
  ];
  const GW_SPLIT = 'weights: HTTPRoute/shop/catalog route canary-split';
  const service = (docs: any[], name: string) => docs.find((d) => d.kind === 'Service' && d.metadata.name === name);

  test.each(GW_CYCLE.slice(1).map((step, i) => [GW_CYCLE[i][0], step[0], GW_CYCLE[i][1], step[1]]))(
    '%s -> %s: no immutable field changes, no route loses its target, and cdk8s-istio diff exits 0', (_from, _to, before, after) => {
      expect(_transition(objects(before as any[]), objects(after as any[])).findings).toEqual([]);
      const out = { write: () => undefined };
      const [a, b] = [before, after].map((docs) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-gw-diff-'));
        fs.writeFileSync(path.join(dir, 'shop.k8s.yaml'), (docs as any[]).map((d) => JSON.stringify(d)).join('\n---\n'));
        return dir;
      });
      expect(main(['diff', a, b], out, out)).toEqual(0);
    });

  test('a weight step changes only the HTTPRoute\'s backend weights', () => {
    expect(_transition(objects(GW_CYCLE[0][1]), objects(GW_CYCLE[1][1]))).toEqual({
      created: [],
      deleted: [],
      changed: ['HTTPRoute/shop/catalog'],
      findings: [],
      notes: [`${GW_SPLIT}: catalog-v1 90%, catalog-v2 10% -> catalog-v1 75%, catalog-v2 25%`],
    });
  });

  test('promotion keeps v2\'s Deployment and Service (its pods keep running) and deletes v1\'s', () => {
    const [atHundred, promoted] = [GW_CYCLE[3][1], GW_CYCLE[4][1]];
    expect(deployment(promoted, 'catalog-v2').spec.template).toEqual(deployment(atHundred, 'catalog-v2').spec.template);
    expect(service(promoted, 'catalog-v2')).toEqual(service(atHundred, 'catalog-v2'));
    const t = _transition(objects(atHundred), objects(promoted));
    expect(t.created).toEqual([]);
    expect(t.deleted).toEqual(['Deployment/shop/catalog-v1', 'Service/shop/catalog-v1']);
    expect(t.changed).toEqual(['Deployment/shop/catalog-v2', 'HTTPRoute/shop/catalog']);
    expect(t.notes).toEqual([
      'replicas: Deployment/shop/catalog-v2: 1 -> 3',
      `${GW_SPLIT}: catalog-v1 0%, catalog-v2 100% -> catalog-v2 100%`,
      'route removed: HTTPRoute/shop/catalog route canary-override',
    ]);
  });

  test('between releases: the stable version\'s Service behind the route; the next canary adds its own', () => {
    const steady = GW_CYCLE[4][1];
    expect(steady.filter((d) => ['Deployment', 'Service', 'HTTPRoute', 'DestinationRule', 'VirtualService'].includes(d.kind)).map((d) => `${d.kind}/${d.metadata.name}`))
      .toEqual(['Deployment/catalog-v2', 'Service/catalog', 'Service/catalog-v2', 'HTTPRoute/catalog']);
    const t = _transition(objects(steady), objects(GW_CYCLE[5][1]));
    expect(t.created).toEqual(['Deployment/shop/catalog-v3', 'Service/shop/catalog-v3']);
    expect(t.changed).toEqual(['HTTPRoute/shop/catalog']);
    expect(t.notes).toContain('route added: HTTPRoute/shop/catalog route canary-override: catalog-v3 100%');
  });

  test('fails (exit 1) on a route to a per-version Service the change deletes, backend or mirror', () => {
    const before = GW_CYCLE[0][1];
    const after = JSON.parse(JSON.stringify(before)).filter((d: any) => !(d.kind === 'Service' && d.metadata.name === 'catalog-v2'));
    expect(_transition(objects(before), objects(after)).findings.map((f) => [f.rule, f.object, f.message])).toEqual([
      ['TRAFFIC_LOSS', 'HTTPRoute/shop/catalog', 'a route sends traffic to Service catalog-v2.shop.svc.cluster.local, which this change deletes'],
      ['TRAFFIC_LOSS', 'HTTPRoute/shop/catalog', 'a route sends traffic to Service catalog-v2.shop.svc.cluster.local, which this change deletes'],
    ]);
    const mirrorOnly = JSON.parse(JSON.stringify(after));
    const route = mirrorOnly.find((d: any) => d.kind === 'HTTPRoute');
    route.spec.rules = [{
      name: 'canary-split',
      backendRefs: [{ name: 'catalog-v1', port: 8080 }],
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog-v2', port: 8080 } } }],
    }];
    expect(_transition(objects(before), objects(mirrorOnly)).findings.map((f) => f.message)).toEqual([
      'a route sends traffic to Service catalog-v2.shop.svc.cluster.local, which this change deletes',
    ]);
    const [a, b] = [before, after].map((docs) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-gw-diff-'));
      fs.writeFileSync(path.join(dir, 'shop.k8s.yaml'), docs.map((d: any) => JSON.stringify(d)).join('\n---\n'));
      return dir;
    });
    let out = '';
    expect(main(['diff', a, b], { write: (x: string) => { out += x; } }, { write: () => undefined })).toEqual(1);
    expect(out).toContain('HTTPRoute/shop/catalog: [TRAFFIC_LOSS] a route sends traffic to Service catalog-v2.shop.svc.cluster.local, which this change deletes');
  });
});
