/**
 * What the code declares for the checks, carried in the output itself, so that the synth-time checks,
 * the cdk8s validation plugin and `cdk8s-istio validate` read the same inputs and give the same findings.
 *
 * Three annotations, each on the objects it concerns (and only there):
 * - `validation.cdk8s-istio.dev/suppress`: rules suppressed in code (`MeshValidation.suppress`) for this
 *   object, one `RULE: reason` per line (sorted);
 * - `validation.cdk8s-istio.dev/providers`: the extension providers the app declares
 *   (`declareProviders`, `MeshConfigFragment`), comma-separated, on every Telemetry and every CUSTOM
 *   AuthorizationPolicy (the objects MESH002 reads);
 * - `validation.cdk8s-istio.dev/external-gateways`: the gateways this VirtualService binds to that the
 *   app declares external (`GatewayBinding.external()`, `declareExternalGateways`), comma-separated; also on
 *   an object whose `istio.io/use-waypoint` label names a waypoint declared external (KIA1313 reads it).
 *
 * The API server keeps annotations as they are and nothing in Istio reads these, so `kubectl apply`
 * is unaffected. The prefix must not end in `istio.io`: `istioctl analyze` takes every annotation whose
 * prefix ends so for an Istio one and reports it as unknown (IST0108). A checker reading files takes the union of the providers and gateways carried by all
 * objects, and each object's own suppressions.
 *
 * Internal: `MeshValidation` writes them at synth; `_validateDocuments` (plugin, CLI) reads them.
 */
import { _resolveGatewayRef } from '../_naming';
import { _apiGroup } from './_objects';

/** @internal */
export const _SUPPRESS_ANNOTATION = 'validation.cdk8s-istio.dev/suppress';
/** @internal */
export const _PROVIDERS_ANNOTATION = 'validation.cdk8s-istio.dev/providers';
/** @internal */
export const _EXTERNAL_GATEWAYS_ANNOTATION = 'validation.cdk8s-istio.dev/external-gateways';

/** What the app declares for the checks. @internal */
export interface _Declarations {
  /** Extension providers of the mesh config; undefined: the provider check (MESH002) is off. */
  readonly providers?: ReadonlySet<string>;
  /** Gateways (`namespace/name`) that exist outside the output. */
  readonly externalGateways: ReadonlySet<string>;
}

interface ObjectJson {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: {
    readonly name?: unknown;
    readonly namespace?: unknown;
    readonly labels?: Record<string, unknown>;
    readonly annotations?: Record<string, unknown>;
  };
  readonly spec?: { readonly action?: unknown; readonly gateways?: unknown };
}

function asObject(doc: unknown): ObjectJson {
  return doc !== null && typeof doc === 'object' ? doc as ObjectJson : {};
}

/** Whether MESH002 reads this object: a Telemetry, or an AuthorizationPolicy with action CUSTOM. */
function namesProviders(d: ObjectJson): boolean {
  if (d.kind === 'Telemetry') return _apiGroup(d) === 'telemetry.istio.io';
  return d.kind === 'AuthorizationPolicy' && _apiGroup(d) === 'security.istio.io' && d.spec?.action === 'CUSTOM';
}

/** The declared external gateways an Istio VirtualService binds to (sorted), or the declared external waypoint an object names. */
function externalGatewaysOf(d: ObjectJson, external: ReadonlySet<string>): string[] {
  if (external.size === 0) return [];
  const ns = typeof d.metadata?.namespace === 'string' ? d.metadata.namespace : 'default';
  const waypoint = d.metadata?.labels?.['istio.io/use-waypoint'];
  if (typeof waypoint === 'string') {
    // a Namespace's own name is the default namespace of its waypoint
    const own = d.kind === 'Namespace' && typeof d.metadata?.name === 'string' ? d.metadata.name : ns;
    const wpNs = d.metadata?.labels?.['istio.io/use-waypoint-namespace'];
    const key = `${typeof wpNs === 'string' ? wpNs : own}/${waypoint}`;
    if (external.has(key)) return [key];
  }
  if (d.kind !== 'VirtualService' || _apiGroup(d) !== 'networking.istio.io') return [];
  const refs = Array.isArray(d.spec?.gateways) ? d.spec.gateways : [];
  const found = new Set<string>();
  for (const ref of refs) {
    if (typeof ref !== 'string') continue;
    const key = _resolveGatewayRef(ref, ns);
    if (external.has(key)) found.add(key);
  }
  return [...found].sort();
}

/**
 * The annotations `doc` must carry for the checkers (key -> value), given the app's declarations and
 * the rules suppressed for it. Empty when it concerns none of them.
 * @internal
 */
export function _carriedAnnotations(doc: unknown, declarations: _Declarations, suppressed: ReadonlyMap<string, string>): Map<string, string> {
  const d = asObject(doc);
  const out = new Map<string, string>();
  if (suppressed.size > 0) {
    out.set(_SUPPRESS_ANNOTATION, [...suppressed].sort(([a], [b]) => a.localeCompare(b))
      .map(([rule, reason]) => `${rule}: ${reason.replace(/\s+/g, ' ').trim()}`).join('\n'));
  }
  if (declarations.providers && declarations.providers.size > 0 && namesProviders(d)) {
    out.set(_PROVIDERS_ANNOTATION, [...declarations.providers].sort().join(','));
  }
  const gateways = externalGatewaysOf(d, declarations.externalGateways);
  if (gateways.length > 0) out.set(_EXTERNAL_GATEWAYS_ANNOTATION, gateways.join(','));
  return out;
}

function annotation(doc: unknown, key: string): string | undefined {
  const value = asObject(doc).metadata?.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * The rules an object's annotation suppresses, with their reasons.
 * @internal
 */
export function _carriedSuppressions(doc: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (annotation(doc, _SUPPRESS_ANNOTATION) ?? '').split('\n')) {
    const colon = line.indexOf(':');
    const rule = (colon < 0 ? line : line.slice(0, colon)).trim();
    if (rule.length > 0) out.set(rule, colon < 0 ? '' : line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * The declarations carried by a set of objects (the union over all of them), added to `given` (flags or
 * plugin properties). Providers stay undefined (MESH002 off) when neither declares any.
 * @internal
 */
export function _carriedDeclarations(docs: readonly unknown[], given: _Declarations): _Declarations {
  let providers = given.providers ? new Set(given.providers) : undefined;
  const externalGateways = new Set(given.externalGateways);
  for (const doc of docs) {
    const p = list(annotation(doc, _PROVIDERS_ANNOTATION));
    if (p.length > 0) {
      providers ??= new Set();
      for (const name of p) providers.add(name);
    }
    for (const g of list(annotation(doc, _EXTERNAL_GATEWAYS_ANNOTATION))) externalGateways.add(g);
  }
  return { providers, externalGateways };
}
