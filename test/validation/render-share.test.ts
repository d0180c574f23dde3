import { ApiObject, App, Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ShopChart } from '../../examples/shop/main';
import { CanaryService, MeshValidation } from '../../src';
import * as net from '../../src/imports/istio-networking.istio.io';

// The synth-time checks render each checked object of this library once, and cdk8s writes that same
// render (src/validation/_render-share.ts): one render per object per synth, in single-chart apps.

const versions = {
  stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
  canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
};
const weights = (manifests: any[]) => manifests.find((o) => o.kind === 'VirtualService').spec.http[0].route.map((r: any) => r.weight);

/** How often ApiObject.prototype.toJson renders `obj` while `fn` runs. */
function rendersOf(obj: ApiObject, fn: () => void): number {
  const spy = jest.spyOn(ApiObject.prototype, 'toJson');
  try {
    fn();
    return spy.mock.contexts.filter((c) => c === obj).length;
  } finally {
    spy.mockRestore();
  }
}

describe('one render per object per synth', () => {
  test('single chart: the VirtualService renders once for checks and output (Testing.synth and app.synthYaml)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    const vs = ApiObject.of(catalog.node.findChild('VirtualService'));
    let out: any[] = [];
    expect(rendersOf(vs, () => { out = Testing.synth(chart); })).toBe(1);
    expect(weights(out)).toEqual([90, 10]);
    expect(rendersOf(vs, () => app.synthYaml())).toBe(1);
    // the Service the CanaryService created (a core kind the mesh rules read) renders once too
    expect(rendersOf(catalog.service!, () => Testing.synth(chart))).toBe(1);
    expect(catalog.service!.constructor.name).toBe('ApiObject');
    // still the generated class underneath, under its own name
    expect(vs).toBeInstanceOf(net.VirtualService);
    expect(vs.constructor.name).toBe('VirtualService');
  });

  test('single chart: another library\'s workload (a cdk8s-plus Deployment, whose pod template the checks read) renders once, its output unchanged', () => {
    const make = () => {
      const app = Testing.app();
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      const d = new kplus.Deployment(chart, 'web', { containers: [{ image: 'web:1', portNumber: 8080 }] });
      return { app, chart, resource: ApiObject.of(d) };
    };
    const { chart, resource } = make();
    let out: any[] = [];
    expect(rendersOf(resource, () => { out = Testing.synth(chart); })).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(resource, 'toJson')).toBe(false); // the lent toJson removed itself
    expect(rendersOf(resource, () => Testing.synth(chart))).toBe(1); // the next synth: checks and output again, one render
    const unchecked = make();
    MeshValidation.disable(unchecked.app);
    expect(out).toEqual(Testing.synth(unchecked.chart));
  });

  test('without synth-time checks it renders once too; with several charts it renders twice (checks + output)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    const vs = ApiObject.of(catalog.node.findChild('VirtualService'));
    MeshValidation.disable(app);
    expect(rendersOf(vs, () => Testing.synth(chart))).toBe(1);

    const app2 = Testing.app();
    const a = new Chart(app2, 'a', { namespace: 'shop' });
    new Chart(app2, 'b', { namespace: 'other' });
    const vs2 = ApiObject.of(new CanaryService(a, 'catalog', { port: 8080, ...versions }).node.findChild('VirtualService'));
    expect(rendersOf(vs2, () => Testing.synth(a))).toBe(2);
  });

  test('the example app writes byte-identical YAML with and without the synth-time checks', () => {
    const checked = new ShopChart(Testing.app(), 'shop');
    const plainApp = Testing.app();
    plainApp.node.setContext(MeshValidation.CONTEXT_KEY, false);
    const plain = new ShopChart(plainApp, 'shop');
    const yaml = Yaml.stringify(...Testing.synth(checked));
    expect(yaml).toEqual(Yaml.stringify(...Testing.synth(plain)));
    expect(yaml).toContain('kind: VirtualService');
  });

  test('a change between two synths in one tick is written and checked again (single chart)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    expect(weights(Testing.synth(chart))).toEqual([90, 10]);
    catalog.shiftTo(50);
    expect(weights(Testing.synth(chart))).toEqual([50, 50]);
    // same construct tree, now invalid: the checks run again instead of reusing the clean result
    ApiObject.of(catalog.node.findChild('VirtualService')).addJsonPatch(JsonPatch.replace('/spec/http/0/route/1/destination/subset', 'nope'));
    expect(() => Testing.synth(chart)).toThrow(/\[IST0101\] VirtualService\/shop\/catalog: spec\.http\[0\]\.route\[1\]\.destination\.subset/);
  });

  test('several charts: a change to another chart\'s object between synths in one tick is written', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const a = new Chart(app, 'a', { namespace: 'shop' });
    const b = new Chart(app, 'b', { namespace: 'other' });
    new CanaryService(a, 'catalog', { port: 8080, ...versions });
    const other = new CanaryService(b, 'orders', { port: 8080, ...versions });
    expect(weights(Testing.synth(a))).toEqual([90, 10]);
    other.shiftTo(30);
    expect(weights(Testing.synth(b))).toEqual([70, 30]);
  });

  test('when another construct\'s validation stops the synth, nothing is handed over: a fix in the same tick is written', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    let ready = false;
    chart.node.addValidation({ validate: () => (ready ? [] : ['not ready']) });
    expect(() => Testing.synth(chart)).toThrow('not ready');
    catalog.shiftTo(50);
    ready = true;
    expect(weights(Testing.synth(chart))).toEqual([50, 50]);
  });

  test('a failed synth hands nothing over: after the fix the object renders afresh', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    const vs = ApiObject.of(catalog.node.findChild('VirtualService'));
    vs.addJsonPatch(JsonPatch.add('/spec/http/0/route/0/destination/subset', 'nope'));
    expect(() => Testing.synth(chart)).toThrow(/\[IST0101\]/);
    vs.addJsonPatch(JsonPatch.replace('/spec/http/0/route/0/destination/subset', 'stable'));
    expect(Testing.synth(chart).find((o: any) => o.kind === 'VirtualService').spec.http[0].route[0].destination.subset).toBe('stable');
  });
});
