import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as lib from '../src';

// scripts/bench.js is plain JavaScript (not type-checked): this runs its mesh generator against the current
// API, so an API change that breaks `npx projen bench` fails here instead of at the next benchmark.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../scripts/bench.js');

describe('benchmark mesh generator (scripts/bench.js)', () => {
  test('generates and synthesizes 3 services: two versions each, the edge, the dependencies', () => {
    const app: cdk8s.App = generate(lib, cdk8s, kplus, 3);
    const docs = app.charts.flatMap((c) => c.toJson());
    const count = (kind: string) => docs.filter((d: any) => d.kind === kind).length;
    expect(docs.filter((d: any) => d.kind === 'Deployment').map((d: any) => d.metadata.name).sort())
      .toEqual(['svc-0-v1', 'svc-0-v2', 'svc-1-v1', 'svc-1-v2', 'svc-2-v1', 'svc-2-v2']);
    // per service a mesh VirtualService and an edge one, a DestinationRule, a Sidecar (its dependencies); one edge Gateway
    expect(['VirtualService', 'DestinationRule', 'Gateway', 'Sidecar'].map(count)).toEqual([6, 3, 1, 3]);
  });
});
