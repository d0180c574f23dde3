/**
 * The mesh rules of Gateway API routes (MESH401..MESH406): references a route makes that Istio 1.30
 * resolves at run time, and fails on (the route's `ResolvedRefs` condition false, requests answered 500),
 * or leaves undefined. One pass over the inputs builds the routes and grants; each rule is then a lookup per
 * reference. Internal: registered in `_rules.ts`, run once by the engine (`_meshChecks`).
 *
 * Where the semantics come from (istio/istio 1.30.3, pilot/pkg/config/kube/gateway/conversion.go):
 * - `buildDestination`: a Service backend in another namespace needs a ReferenceGrant there allowing the
 *   route's kind from its namespace ("missing a ReferenceGrant?"), a missing Service is "backend not found";
 * - the listeners' certificateRefs in another namespace need a grant for the Gateway to read the Secret;
 * - a VirtualService and an HTTPRoute both routing one Service for the mesh: Istio merges neither, which
 *   one applies is undefined (the Gateway API mesh guide says not to mix them).
 */
import { RuleContext, _MeshInput } from './_mesh-index';
import { _apiGroup } from './_objects';
import type { _RuleDefinition } from './_rules';
import { ValidationSeverity } from './conformance';
import { _MESH_GATEWAY, _resolveGatewayRef, _resolveShortname, _serviceFqdn } from '../_naming';
import { _field as field, _list as list, _namespaceOfDoc as nsOf, _text as text } from './_json';

const GROUP = 'gateway.networking.k8s.io';
const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute']);


/** One Service reference of a route: a backend, a mirror or a parent. */
interface ServiceRef {
  readonly input: _MeshInput;
  readonly name: string;
  readonly namespace: string;
  readonly port?: number;
  readonly path: string;
  readonly role: 'backend' | 'mirror' | 'parent';
}

/** The Gateway API objects the rules read, from one pass over the inputs. */
interface GatewayApiIndex {
  readonly routes: _MeshInput[];
  /** `namespace|fromGroup|fromKind|fromNamespace|toGroup|toKind` -> names granted ('' for every name). */
  readonly grants: Map<string, Set<string>>;
  readonly gateways: _MeshInput[];
}

function indexGatewayApi(inputs: readonly _MeshInput[]): GatewayApiIndex {
  const ix: GatewayApiIndex = { routes: [], grants: new Map(), gateways: [] };
  for (const input of inputs) {
    const d: unknown = input.doc;
    const kind = text(field(d, 'kind'));
    if (!kind || _apiGroup(d) !== GROUP) continue;
    if (ROUTE_KINDS.has(kind)) ix.routes.push(input);
    else if (kind === 'Gateway') ix.gateways.push(input);
    else if (kind === 'ReferenceGrant') indexGrant(ix.grants, d);
  }
  return ix;
}

function indexGrant(grants: Map<string, Set<string>>, d: unknown): void {
  for (const from of list(field(d, 'spec', 'from'))) {
    for (const to of list(field(d, 'spec', 'to'))) {
      const key = `${nsOf(d)}|${text(field(from, 'group')) ?? ''}|${text(field(from, 'kind'))}|${text(field(from, 'namespace'))}|${text(field(to, 'group')) ?? ''}|${text(field(to, 'kind'))}`;
      const names = grants.get(key) ?? new Set<string>();
      names.add(text(field(to, 'name')) ?? '');
      grants.set(key, names);
    }
  }
}

function granted(ix: GatewayApiIndex, toNs: string, fromKind: string, fromNs: string, toGroup: string, toKind: string, name: string): boolean {
  const names = ix.grants.get(`${toNs}|${GROUP}|${fromKind}|${fromNs}|${toGroup}|${toKind}`);
  return names !== undefined && (names.has('') || names.has(name));
}

/** A Service backendRef (kind Service, group core), or undefined for other kinds (Istio Hostname...). */
function serviceBackend(ref: unknown, routeNs: string): { name: string; namespace: string; port?: number } | undefined {
  if ((text(field(ref, 'kind')) ?? 'Service') !== 'Service' || (text(field(ref, 'group')) ?? '') !== '') return undefined;
  const name = text(field(ref, 'name'));
  if (!name) return undefined;
  const port = field(ref, 'port');
  return { name, namespace: text(field(ref, 'namespace')) ?? routeNs, port: typeof port === 'number' ? port : undefined };
}

/** Every Service a route references: backends and mirrors of every rule, and Service parents. */
function serviceRefs(route: _MeshInput): ServiceRef[] {
  const d: unknown = route.doc;
  const ns = nsOf(d);
  const out: ServiceRef[] = [];
  const add = (ref: unknown, path: string, role: ServiceRef['role']) => {
    const s = serviceBackend(ref, ns);
    if (s) out.push({ input: route, ...s, path, role });
  };
  list(field(d, 'spec', 'rules')).forEach((rule, i) => {
    list(field(rule, 'backendRefs')).forEach((b, j) => add(b, `spec.rules[${i}].backendRefs[${j}]`, 'backend'));
    list(field(rule, 'filters')).forEach((f, j) => add(field(f, 'requestMirror', 'backendRef'), `spec.rules[${i}].filters[${j}].requestMirror.backendRef`, 'mirror'));
  });
  list(field(d, 'spec', 'parentRefs')).forEach((p, j) => {
    if (text(field(p, 'kind')) === 'Service' && (text(field(p, 'group')) ?? GROUP) === '') add(p, `spec.parentRefs[${j}]`, 'parent');
  });
  return out;
}

/**
 * MESH401 (backends, mirrors) and MESH402 (parents): the Service exists with that port, when the input
 * defines the Service, or defines its Namespace (then a missing Service is an error; Services managed
 * elsewhere are in namespaces the app does not define, or the route suppresses the rule).
 */
function checkRouteServices(c: RuleContext): void {
  for (const route of indexGatewayApi(c.inputs).routes) {
    // a name with dots is a hostname, which Istio refuses as a Service name (KIA1402, _kiali-k8s.ts)
    for (const ref of serviceRefs(route).filter((r) => r.role === 'parent' || !r.name.includes('.'))) {
      const rule = ref.role === 'parent' ? 'MESH402' : 'MESH401';
      const fqdn = _serviceFqdn(ref.name, ref.namespace);
      const svc = c.ix.services.get(fqdn);
      const what = `${text(field(route.doc, 'kind'))} ${ref.role} Service ${ref.namespace}/${ref.name}`;
      if (!svc) {
        if (c.ix.namespaces.has(ref.namespace)) {
          c.report(route, rule, ValidationSeverity.ERROR, ref.path,
            `${what} not found: the app defines namespace ${ref.namespace} but no Service ${ref.name} in it (Istio: "backend(${fqdn}) not found", requests get 500). Fix: define the Service, fix the name, or suppress ${rule} on the route if it is managed elsewhere`);
        }
        continue;
      }
      const ports = list(field(svc.doc, 'spec', 'ports')).map((p) => field(p, 'port')).filter((p): p is number => typeof p === 'number');
      if (ref.port !== undefined && !ports.includes(ref.port)) {
        c.report(route, rule, ValidationSeverity.ERROR, `${ref.path}.port`,
          `${what} has no port ${ref.port} (its ports: ${ports.join(', ') || 'none'}). Fix: use one of its ports${ref.role === 'parent' ? ', or leave the port out for every port' : ''}`);
      }
    }
  }
}

/** MESH403: a route's Service in another namespace, or a Gateway's certificate Secret in another namespace, without a ReferenceGrant there. */
function checkReferenceGrants(c: RuleContext): void {
  const ix = indexGatewayApi(c.inputs);
  for (const route of ix.routes) {
    const kind = text(field(route.doc, 'kind'))!;
    const ns = nsOf(route.doc);
    for (const ref of serviceRefs(route)) {
      if (ref.role === 'parent' || ref.namespace === ns || granted(ix, ref.namespace, kind, ns, '', 'Service', ref.name)) continue;
      c.report(route, 'MESH403', ValidationSeverity.ERROR, ref.path,
        `${kind} ${ns}/${text(field(route.doc, 'metadata', 'name'))} references Service ${ref.namespace}/${ref.name} in another namespace, and no ReferenceGrant in ${ref.namespace} allows it (Istio: "not accessible ... missing a ReferenceGrant?"). Fix: add a ReferenceGrant in ${ref.namespace} from ${kind}s in ${ns} to the Service (routes of this library create one unless referenceGrants is false)`);
    }
  }
  for (const gw of ix.gateways) {
    const ns = nsOf(gw.doc);
    list(field(gw.doc, 'spec', 'listeners')).forEach((l, i) => {
      list(field(l, 'tls', 'certificateRefs')).forEach((cert, j) => {
        const certNs = text(field(cert, 'namespace')) ?? ns;
        const name = text(field(cert, 'name')) ?? '';
        if (certNs === ns || granted(ix, certNs, 'Gateway', ns, text(field(cert, 'group')) ?? '', text(field(cert, 'kind')) ?? 'Secret', name)) return;
        c.report(gw, 'MESH403', ValidationSeverity.ERROR, `spec.listeners[${i}].tls.certificateRefs[${j}]`,
          `Gateway ${ns}/${text(field(gw.doc, 'metadata', 'name'))} references Secret ${certNs}/${name} in another namespace, and no ReferenceGrant in ${certNs} allows it. Fix: add a ReferenceGrant in ${certNs} from Gateways in ${ns} to the Secret`);
      });
    });
  }
}

/** MESH404: one Service routed for the mesh by a VirtualService and by a Gateway API route (Service parent). */
function checkMixedDialects(c: RuleContext): void {
  const vsByHost = new Map<string, _MeshInput>();
  for (const vs of c.ix.virtualServices) {
    const ns = nsOf(vs.doc);
    const gateways = list(field(vs.doc, 'spec', 'gateways')).map(text).filter((g): g is string => g !== undefined);
    if (gateways.length > 0 && !gateways.some((g) => _resolveGatewayRef(g, ns) === _MESH_GATEWAY)) continue;
    for (const h of list(field(vs.doc, 'spec', 'hosts'))) {
      if (typeof h === 'string' && !vsByHost.has(_resolveShortname(h, ns))) vsByHost.set(_resolveShortname(h, ns), vs);
    }
  }
  if (vsByHost.size === 0) return;
  for (const route of indexGatewayApi(c.inputs).routes) {
    for (const ref of serviceRefs(route).filter((r) => r.role === 'parent')) {
      const vs = vsByHost.get(_serviceFqdn(ref.name, ref.namespace));
      if (!vs) continue;
      c.report(route, 'MESH404', ValidationSeverity.ERROR, ref.path,
        `${text(field(route.doc, 'kind'))} routes Service ${ref.namespace}/${ref.name} for the mesh, and so does VirtualService ${nsOf(vs.doc)}/${text(field(vs.doc, 'metadata', 'name'))}: Istio leaves undefined which applies. Fix: route the Service with one of them (CanaryService's routing option picks one dialect)`);
    }
  }
}

/** Whether a listener's `allowedRoutes.namespaces` admits a route of namespace `routeNs`; undefined when the input cannot tell. */
function listenerAdmits(c: RuleContext, listener: unknown, gatewayNs: string, routeNs: string): boolean | undefined {
  const from = text(field(listener, 'allowedRoutes', 'namespaces', 'from')) ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === gatewayNs;
  if (from !== 'Selector') return undefined;
  const ns = c.ix.namespaces.get(routeNs);
  // the API server sets kubernetes.io/metadata.name on every namespace
  const labels = { ...(field(ns?.doc, 'metadata', 'labels') ?? {}), 'kubernetes.io/metadata.name': routeNs };
  const selector = field(listener, 'allowedRoutes', 'namespaces', 'selector');
  if (!ns || list(field(selector, 'matchExpressions')).length > 0) return undefined;
  const wanted = Object.entries((field(selector, 'matchLabels') ?? {}) as Record<string, unknown>);
  return wanted.every(([k, v]) => (labels as Record<string, unknown>)[k] === v);
}

/**
 * MESH405 (the parent Gateway is missing from a namespace the input defines, by a Namespace or other
 * Gateways, and is not declared external: shared Gateways managed elsewhere stay silent) and MESH406 (no listener of
 * it, among those the parentRef's sectionName/port select, admits the route's namespace: Istio's
 * `Accepted` condition is false with `NotAllowedByListeners`, the route is not served).
 */
function checkRouteParents(c: RuleContext): void {
  const ix = indexGatewayApi(c.inputs);
  const gateways = new Map(ix.gateways.map((g) => [`${nsOf(g.doc)}/${text(field(g.doc, 'metadata', 'name'))}`, g]));
  for (const route of ix.routes) {
    const routeNs = nsOf(route.doc);
    list(field(route.doc, 'spec', 'parentRefs')).forEach((p, j) => {
      if ((text(field(p, 'kind')) ?? 'Gateway') !== 'Gateway' || (text(field(p, 'group')) ?? GROUP) !== GROUP) return;
      const key = `${text(field(p, 'namespace')) ?? routeNs}/${text(field(p, 'name')) ?? ''}`;
      const gw = gateways.get(key);
      const what = `${text(field(route.doc, 'kind'))} parent Gateway ${key}`;
      if (!gw) {
        const gwNs = key.split('/')[0];
        const knownNamespace = c.ix.namespaces.has(gwNs) || ix.gateways.some((g) => nsOf(g.doc) === gwNs);
        if (knownNamespace && !(c.options.externalGateways?.has(key) ?? false)) {
          c.report(route, 'MESH405', ValidationSeverity.ERROR, `spec.parentRefs[${j}]`,
            `${what} not found: the input defines namespace ${gwNs} (or Gateways in it) but no Gateway of that name, so no gateway serves the route. Fix: define it, fix the reference, or declare it external (--external-gateway ${key})`);
        }
        return;
      }
      const section = text(field(p, 'sectionName'));
      const port = field(p, 'port');
      const listeners = list(field(gw.doc, 'spec', 'listeners'))
        .filter((l) => (section === undefined || text(field(l, 'name')) === section) && (typeof port !== 'number' || field(l, 'port') === port));
      const admits = listeners.map((l) => listenerAdmits(c, l, nsOf(gw.doc), routeNs));
      if (listeners.length > 0 && admits.every((a) => a === false)) {
        c.report(route, 'MESH406', ValidationSeverity.ERROR, `spec.parentRefs[${j}]`,
          `${what}: no listener admits routes from namespace ${routeNs} (allowedRoutes.namespaces.from defaults to Same), so Istio does not accept the route (NotAllowedByListeners). Fix: set the listener's allowedRoutes.namespaces.from to All or a Selector matching ${routeNs}, or move the route`);
      }
    });
  }
}

const E = ValidationSeverity.ERROR;

/** The Gateway API rules, for the registry (`_rules.ts`). @internal */
export const _GATEWAY_API_RULES: readonly _RuleDefinition[] = [
  {
    id: 'MESH401',
    severity: E,
    mirrors: 'this library (Istio route condition `ResolvedRefs`: `BackendNotFound`)',
    check: checkRouteServices,
    catches: 'an HTTPRoute/GRPCRoute/TLSRoute backend or mirror names a Service port the Service (in the input) does not have, or a Service missing from a namespace the input defines',
  },
  {
    id: 'MESH402',
    severity: E,
    mirrors: 'this library (GAMMA: a Service parent)',
    check: checkRouteServices,
    catches: 'a Gateway API route\'s Service parent (mesh routing) names a port the Service (in the input) does not have, or a Service missing from a namespace the input defines',
  },
  {
    id: 'MESH403',
    severity: E,
    mirrors: 'this library (Istio route condition `ResolvedRefs`: `RefNotPermitted`)',
    check: checkReferenceGrants,
    catches: 'a route\'s backend or mirror Service, or a Gateway listener\'s certificate Secret, is in another namespace and no ReferenceGrant there allows it',
  },
  {
    id: 'MESH404',
    severity: E,
    mirrors: 'this library (Gateway API mesh guide: do not mix VirtualService and HTTPRoute for one Service)',
    check: checkMixedDialects,
    catches: 'a VirtualService (bound to the mesh) and a Gateway API route with a Service parent route the same Service: Istio leaves undefined which applies',
  },
  {
    id: 'MESH405',
    severity: E,
    mirrors: 'this library (Istio route condition `Accepted`: parent not found)',
    check: checkRouteParents,
    catches: 'a Gateway API route\'s parent Gateway is missing from a namespace the input defines (a Namespace, or other Gateways in it) and not declared external (`--external-gateway ns/name`)',
  },
  {
    id: 'MESH406',
    severity: E,
    mirrors: 'Istio route condition `Accepted`: `NotAllowedByListeners`',
    check: checkRouteParents,
    catches: 'no listener of the parent Gateway (among those `sectionName`/`port` select) admits the route\'s namespace: `allowedRoutes.namespaces.from` `Same` (the default) for a route in another namespace, or a `Selector` the input\'s Namespace labels do not match',
  },
];
