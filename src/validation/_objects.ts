/**
 * The identity of a Kubernetes object in JSON form, as the API server sees it: API group, kind,
 * namespace, name. Internal: the mesh checks, MESH005 and `cdk8s-istio diff` share it.
 */
import { _field, _text } from './_json';

/** The API group of a document (`networking.istio.io`; `''` for the core group `v1`). @internal */
export function _apiGroup(doc: unknown): string {
  const av = _text(_field(doc, 'apiVersion')) ?? '';
  return av.includes('/') ? av.split('/')[0] : '';
}

/**
 * A key naming one object to the API server: `group|Kind|namespace|name` (the namespace empty for
 * cluster-scoped objects and for namespaced ones that leave it to kubectl's default).
 * @internal
 */
export function _objectKey(doc: unknown): string {
  return `${_apiGroup(doc)}|${_field(doc, 'kind')}|${_field(doc, 'metadata', 'namespace') ?? ''}|${_field(doc, 'metadata', 'name')}`;
}
