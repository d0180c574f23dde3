/**
 * What changes between two synthesized outputs, as a reviewer of a pull request needs it, and whether a
 * cluster will take the change: `cdk8s-istio diff OLD NEW`.
 *
 * - objects created, deleted and changed (by apiVersion group, kind, namespace, name);
 * - the changes that matter in a mesh: route weights, access rules (AuthorizationPolicies), hosts, TLS,
 *   images and replicas;
 * - errors for what the API server refuses (immutable fields: Deployment/ReplicaSet/DaemonSet/StatefulSet
 *   selectors, StatefulSet serviceName and volumeClaimTemplates, a Job's pod template, a set Service
 *   clusterIP, data of an immutable ConfigMap/Secret) and for routes that lose traffic (a route of the new
 *   output to a DestinationRule subset or a Service that the new output deletes).
 *
 * Internal: the CLI (`cli.ts`) and tests use it.
 */
import { _JsonObject } from './_json';
import { _objectKey } from './_objects';
import { _resolveShortname, _serviceFqdn } from '../_naming';

/** One object of a manifest set. @internal */
export interface _ManifestObject {
  readonly doc: unknown;
  readonly file?: string;
}

/** A route destination (VirtualService). */
interface DestinationDoc {
  readonly host?: string;
  readonly subset?: string;
}

/** A VirtualService route (http, tcp or tls). */
interface VsRouteDoc {
  readonly name?: string;
  readonly route?: ReadonlyArray<{ readonly destination?: DestinationDoc; readonly weight?: number }>;
  readonly mirror?: DestinationDoc;
}

/** A Gateway API backend reference. */
interface BackendRefDoc {
  readonly kind?: string;
  readonly group?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly weight?: number;
}

/** A Gateway API route rule. */
interface RouteRuleDoc {
  readonly name?: string;
  readonly backendRefs?: readonly BackendRefDoc[];
  readonly filters?: ReadonlyArray<{ readonly requestMirror?: { readonly backendRef?: BackendRefDoc } }>;
}

/** An Istio Gateway server or a Gateway API listener. */
interface ListenerDoc {
  readonly hosts?: unknown;
  readonly hostname?: unknown;
  readonly tls?: unknown;
}

/**
 * The fields of a manifest object this module reads, with the shapes their kinds give them (`index()` keeps
 * only objects with a kind and a name).
 */
interface Doc {
  readonly apiVersion?: unknown;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly immutable?: unknown;
  readonly data?: unknown;
  readonly binaryData?: unknown;
  readonly stringData?: unknown;
  readonly spec?: {
    readonly host?: string;
    readonly hosts?: unknown;
    readonly hostnames?: unknown;
    readonly subsets?: ReadonlyArray<{ readonly name?: string; readonly labels?: { readonly [k: string]: string } }>;
    readonly http?: readonly VsRouteDoc[];
    readonly tcp?: readonly VsRouteDoc[];
    readonly tls?: readonly VsRouteDoc[];
    readonly rules?: readonly RouteRuleDoc[];
    readonly servers?: readonly ListenerDoc[];
    readonly listeners?: readonly ListenerDoc[];
    readonly trafficPolicy?: { readonly tls?: unknown };
    readonly action?: string;
    readonly template?: { readonly spec?: { readonly containers?: ReadonlyArray<{ readonly image?: unknown }> } };
    readonly replicas?: unknown;
    readonly clusterIP?: string;
  };
}

/** A finding of a transition: something a cluster refuses or traffic that is lost. @internal */
export interface _TransitionFinding {
  readonly rule: 'IMMUTABLE_FIELD' | 'TRAFFIC_LOSS';
  readonly object: string;
  readonly message: string;
  readonly fix: string;
}

/** The review summary and the findings of one transition. @internal */
export interface _Transition {
  readonly created: string[];
  readonly deleted: string[];
  readonly changed: string[];
  /** Readable lines: weights moved, access rules, hosts, TLS, images, replicas. */
  readonly notes: string[];
  readonly findings: _TransitionFinding[];
}

/** `Kind/namespace/name`, for messages. */
function labelOf(doc: Doc): string {
  return `${doc.kind}/${doc.metadata?.namespace ? doc.metadata.namespace + '/' : ''}${doc.metadata?.name}`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function index(objects: _ManifestObject[]): Map<string, Doc> {
  const out = new Map<string, Doc>();
  for (const o of objects) {
    const d = o.doc as Partial<Doc> | undefined;
    if (d && typeof d === 'object' && d.kind && d.metadata?.name) out.set(_objectKey(d), d as Doc);
  }
  return out;
}

/** Fields the API server refuses to change, per kind: [path, what to do instead]. */
const IMMUTABLE: { [kind: string]: Array<[string[], string]> } = {
  Deployment: [[['spec', 'selector'], 'create a Deployment under a new name (e.g. one per version) and delete the old one']],
  ReplicaSet: [[['spec', 'selector'], 'create a ReplicaSet under a new name and delete the old one']],
  DaemonSet: [[['spec', 'selector'], 'create a DaemonSet under a new name and delete the old one']],
  StatefulSet: [
    [['spec', 'selector'], 'create a StatefulSet under a new name and delete the old one'],
    [['spec', 'serviceName'], 'create a StatefulSet under a new name and delete the old one'],
    [['spec', 'volumeClaimTemplates'], 'keep the claim templates, or migrate the data to a new StatefulSet'],
    [['spec', 'podManagementPolicy'], 'create a StatefulSet under a new name and delete the old one'],
  ],
  Job: [[['spec', 'template'], 'give the changed Job a new name (a Job runs once; its pod template is fixed)']],
};

function at(doc: Doc, path: string[]): unknown {
  return path.reduce((v: unknown, k) => (v === undefined || v === null ? undefined : (v as _JsonObject)[k]), doc);
}

function immutableFindings(oldDoc: Doc, newDoc: Doc): _TransitionFinding[] {
  const found: _TransitionFinding[] = [];
  for (const [path, fix] of IMMUTABLE[newDoc.kind] ?? []) {
    const [a, b] = [at(oldDoc, path), at(newDoc, path)];
    if (!same(a, b)) {
      found.push({ rule: 'IMMUTABLE_FIELD', object: labelOf(newDoc), message: `${path.join('.')} changes (${JSON.stringify(a)} -> ${JSON.stringify(b)}), which the API server refuses`, fix });
    }
  }
  if (newDoc.kind === 'Service') {
    const [a, b] = [oldDoc.spec?.clusterIP, newDoc.spec?.clusterIP];
    if (a && b && a !== b) {
      found.push({ rule: 'IMMUTABLE_FIELD', object: labelOf(newDoc), message: `spec.clusterIP changes (${a} -> ${b}), which the API server refuses`, fix: 'keep the clusterIP, or create the Service under a new name' });
    }
  }
  if ((newDoc.kind === 'ConfigMap' || newDoc.kind === 'Secret') && oldDoc.immutable === true
    && (!same(oldDoc.data, newDoc.data) || !same(oldDoc.binaryData ?? oldDoc.stringData, newDoc.binaryData ?? newDoc.stringData))) {
    found.push({ rule: 'IMMUTABLE_FIELD', object: labelOf(newDoc), message: 'the data of an immutable object changes, which the API server refuses', fix: 'create it under a new name (e.g. with a content hash) and point the pods to it' });
  }
  return found;
}

/** A route host as Istio resolves it in the route's namespace (a name without a dot is a Service of that namespace). */
function resolveHost(host: string, namespace: string | undefined): string {
  return _resolveShortname(host, namespace ?? 'default');
}

/** `host#subset` for every DestinationRule subset, and the FQDN of every Service. */
function targets(objs: Map<string, Doc>): { subsets: Set<string>; services: Set<string> } {
  const subsets = new Set<string>();
  const services = new Set<string>();
  for (const d of objs.values()) {
    if (d.kind === 'DestinationRule' && d.spec?.host) {
      for (const s of d.spec.subsets ?? []) subsets.add(`${resolveHost(d.spec.host, d.metadata.namespace)}#${s.name}`);
    }
    if (d.kind === 'Service' && String(d.apiVersion) === 'v1') services.add(_serviceFqdn(d.metadata.name, d.metadata.namespace ?? 'default'));
  }
  return { subsets, services };
}

/** Every destination a route of `doc` sends traffic to: [host FQDN, subset or undefined]. */
function destinations(doc: Doc): Array<[string, string | undefined]> {
  const ns = doc.metadata?.namespace;
  if (doc.kind === 'VirtualService') {
    const routes = [...(doc.spec?.http ?? []), ...(doc.spec?.tcp ?? []), ...(doc.spec?.tls ?? [])];
    return routes.flatMap((r) => [...(r.route ?? []), ...(r.mirror ? [{ destination: r.mirror }] : [])])
      .flatMap((d): Array<[string, string | undefined]> => d?.destination?.host ? [[resolveHost(d.destination.host, ns), d.destination.subset]] : []);
  }
  if (['HTTPRoute', 'GRPCRoute', 'TLSRoute'].includes(doc.kind)) {
    // backends, and the Services a RequestMirror filter copies requests to
    const mirrors = (r: RouteRuleDoc) =>
      (r.filters ?? []).flatMap((f) => f?.requestMirror?.backendRef ? [f.requestMirror.backendRef] : []);
    return (doc.spec?.rules ?? []).flatMap((r) => [...(r.backendRefs ?? []), ...mirrors(r)])
      .flatMap((b): Array<[string, string | undefined]> => (b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '' && b.name
        ? [[_serviceFqdn(b.name, b.namespace ?? ns ?? 'default'), undefined]] : []);
  }
  return [];
}

function trafficLoss(oldObjs: Map<string, Doc>, newObjs: Map<string, Doc>): _TransitionFinding[] {
  const before = targets(oldObjs);
  const after = targets(newObjs);
  const found: _TransitionFinding[] = [];
  for (const d of newObjs.values()) {
    for (const [host, subset] of destinations(d)) {
      if (subset !== undefined && before.subsets.has(`${host}#${subset}`) && !after.subsets.has(`${host}#${subset}`)) {
        found.push({ rule: 'TRAFFIC_LOSS', object: labelOf(d), message: `a route sends traffic to subset "${subset}" of ${host}, which this change deletes (503 for those requests)`, fix: 'keep the subset until no route uses it (route away first, delete in a later change)' });
      }
      if (subset === undefined && before.services.has(host) && !after.services.has(host)) {
        found.push({ rule: 'TRAFFIC_LOSS', object: labelOf(d), message: `a route sends traffic to Service ${host}, which this change deletes`, fix: 'keep the Service until no route uses it' });
      }
    }
  }
  return found;
}

/** Route weights per route: `route <name or #i>: host[/subset] w% ...`. */
function weightsOf(doc: Doc): Map<string, string> {
  const out = new Map<string, string>();
  const describe = (parts: Array<[string, number | undefined]>) => parts.map(([d, w]) => `${d} ${w ?? 100}%`).join(', ');
  if (doc.kind === 'VirtualService') {
    (doc.spec?.http ?? []).forEach((r, i) => out.set(r.name ?? `#${i}`,
      describe((r.route ?? []).map((d): [string, number | undefined] => [`${d.destination?.host}${d.destination?.subset ? '/' + d.destination.subset : ''}`, d.weight]))));
  }
  if (doc.kind === 'HTTPRoute') {
    (doc.spec?.rules ?? []).forEach((r, i) => out.set(r.name ?? `#${i}`,
      describe((r.backendRefs ?? []).map((b): [string, number | undefined] => [`${b.name}`, b.weight]))));
  }
  return out;
}

function notesOf(oldDoc: Doc, newDoc: Doc): string[] {
  const label = labelOf(newDoc);
  const notes: string[] = [];
  const [wa, wb] = [weightsOf(oldDoc), weightsOf(newDoc)];
  for (const [route, after] of wb) {
    const before = wa.get(route);
    if (before !== undefined && before !== after) notes.push(`weights: ${label} route ${route}: ${before} -> ${after}`);
    if (before === undefined) notes.push(`route added: ${label} route ${route}: ${after}`);
  }
  for (const route of wa.keys()) if (!wb.has(route)) notes.push(`route removed: ${label} route ${route}`);
  if (newDoc.kind === 'DestinationRule') {
    const subsets = (d: Doc) => (d.spec?.subsets ?? []).map((x) => `${x.name}=${Object.values(x.labels ?? {}).join(',')}`).join(', ');
    if (subsets(oldDoc) !== subsets(newDoc)) notes.push(`subsets: ${label}: ${subsets(oldDoc)} -> ${subsets(newDoc)}`);
  }
  if (newDoc.kind === 'AuthorizationPolicy' && !same(oldDoc.spec, newDoc.spec)) notes.push(`access rule changed: ${label} (${newDoc.spec?.action ?? 'ALLOW'})`);
  if (['VirtualService', 'Gateway', 'HTTPRoute'].includes(newDoc.kind)) {
    const hosts = (d: Doc) => JSON.stringify(d.kind === 'Gateway' ? (d.spec?.servers ?? d.spec?.listeners ?? []).map((s) => s.hosts ?? s.hostname) : (d.spec?.hosts ?? d.spec?.hostnames));
    if (hosts(oldDoc) !== hosts(newDoc)) notes.push(`hosts: ${label}: ${hosts(oldDoc)} -> ${hosts(newDoc)}`);
  }
  const tls = (d: Doc) => JSON.stringify(d.kind === 'Gateway' ? (d.spec?.servers ?? d.spec?.listeners ?? []).map((s) => s.tls ?? null) : d.spec?.trafficPolicy?.tls ?? null);
  if (['Gateway', 'DestinationRule'].includes(newDoc.kind) && tls(oldDoc) !== tls(newDoc)) notes.push(`TLS: ${label}: ${tls(oldDoc)} -> ${tls(newDoc)}`);
  const images = (d: Doc) => JSON.stringify((d.spec?.template?.spec?.containers ?? []).map((c) => c.image));
  if (images(oldDoc) !== images(newDoc)) notes.push(`images: ${label}: ${images(oldDoc)} -> ${images(newDoc)}`);
  if (oldDoc.spec?.replicas !== newDoc.spec?.replicas) notes.push(`replicas: ${label}: ${oldDoc.spec?.replicas} -> ${newDoc.spec?.replicas}`);
  if (oldDoc.spec?.template !== undefined && !same(oldDoc.spec.template, newDoc.spec?.template)) notes.push(`pods replaced: ${label}: the pod template changes (a rollout)`);
  return notes;
}

/**
 * The transition from the `before` objects to the `after` objects.
 * @internal
 */
export function _transition(before: _ManifestObject[], after: _ManifestObject[]): _Transition {
  const [oldObjs, newObjs] = [index(before), index(after)];
  const created: string[] = [];
  const deleted: string[] = [];
  const changed: string[] = [];
  const notes: string[] = [];
  const findings: _TransitionFinding[] = [];
  for (const [key, doc] of newObjs) {
    const old = oldObjs.get(key);
    if (!old) {
      created.push(labelOf(doc));
      if (doc.kind === 'AuthorizationPolicy') notes.push(`access rule added: ${labelOf(doc)} (${doc.spec?.action ?? 'ALLOW'})`);
      continue;
    }
    if (same(old, doc)) continue;
    changed.push(labelOf(doc));
    notes.push(...notesOf(old, doc));
    findings.push(...immutableFindings(old, doc));
  }
  for (const [key, doc] of oldObjs) {
    if (newObjs.has(key)) continue;
    deleted.push(labelOf(doc));
    if (doc.kind === 'AuthorizationPolicy') notes.push(`access rule removed: ${labelOf(doc)} (${doc.spec?.action ?? 'ALLOW'})`);
  }
  findings.push(...trafficLoss(oldObjs, newObjs));
  return { created, deleted, changed, notes, findings };
}

/** The transition as text for a pull request. @internal */
export function _transitionText(t: _Transition): string {
  const lines: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(`${title} (${items.length}):`, ...items.map((i) => `  ${i}`));
  };
  section('created', t.created);
  section('deleted', t.deleted);
  section('changed', t.changed);
  section('notes', t.notes);
  section('errors', t.findings.map((f) => `${f.object}: [${f.rule}] ${f.message}. Fix: ${f.fix}`));
  if (lines.length === 0) lines.push('no changes');
  return lines.join('\n') + '\n';
}
