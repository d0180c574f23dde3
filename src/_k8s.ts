/**
 * Reading Kubernetes objects the user already has, whatever built them: a cdk8s-plus resource of any
 * version (27 through 33 share the members read here), a plain `ApiObject`, or a class imported with
 * `cdk8s import k8s`. Objects of one cdk8s-plus major are not assignable to another's classes, so the
 * public API takes `IConstruct` and this module reads what it needs from the object itself:
 * - its ApiObject (the construct, else its default child, recursively), for kind, name and namespace;
 * - a cdk8s-plus object's live members where they exist (`matchLabels`, `serviceAccount`, `ports`), because
 *   a cdk8s-plus workload cannot render before it has a container, and labels may be added after it was
 *   passed in;
 * - else its rendered JSON (`toJson()`), which plain and imported objects can give at any time.
 * Objects are recognised by shape, not `instanceof`, so a second copy of cdk8s in the user's
 * node_modules (a cdk8s-plus with its own cdk8s) still works.
 *
 * Internal: not part of the public API.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _invalid, _namespaceOf } from './_utils';
import { _field, _list, _text } from './validation/_json';

/** The kinds whose pods a workload input may select. @internal */
export const _WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

type Labels = { [key: string]: string };

/** A service port as a Service renders it. @internal */
export interface _ServicePort {
  readonly port: number;
  readonly name?: string;
}

function isConstruct(x: unknown): x is IConstruct {
  const node = _field(x, 'node');
  return typeof x === 'object' && x !== null && typeof node === 'object' && node !== null;
}

function isApiObject(x: unknown): x is ApiObject {
  return isConstruct(x) && typeof _field(x, 'toJson') === 'function' && typeof _field(x, 'kind') === 'string'
    && typeof _field(x, 'apiVersion') === 'string' && typeof _field(x, 'metadata', 'toJson') === 'function';
}

/** The construct's ApiObject (itself, else its default child, recursively), or undefined. */
function findApiObject(c: IConstruct): ApiObject | undefined {
  for (let cur: IConstruct | undefined = c; cur; cur = cur.node.defaultChild) {
    if (isApiObject(cur)) return cur;
  }
  return undefined;
}

/**
 * A Kubernetes object of the app, read from any construct that has one ApiObject, or (for `references`)
 * from a cdk8s-plus imported reference such as `ServiceAccount.fromServiceAccountName()`.
 * @internal
 */
export class _K8sObject {
  /**
   * Reads `value` (the prop `prop` of a public API), which must be an object of one of `kinds`.
   * @param prop the public prop or parameter name, for messages
   * @param value what the caller passed (any type: JavaScript and jsii callers are not type-checked)
   * @param kinds the accepted Kubernetes kinds
   * @param fix what to pass instead, for messages
   */
  public static of(prop: string, value: unknown, kinds: string[], fix: string): _K8sObject {
    const accepted = kinds.join(', ');
    if (!isConstruct(value)) {
      throw _invalid(prop, value, `it is not a construct (expected a ${accepted} from cdk8s-plus, cdk8s import, or an ApiObject)`, fix);
    }
    const api = findApiObject(value);
    const kind = api ? api.kind : _K8sObject.referenceField(value, 'kind');
    const name = api ? api.name : _K8sObject.referenceField(value, 'name');
    if (kind === undefined || name === undefined) {
      throw _invalid(prop, value.node.path, `it is a construct without a Kubernetes object (expected a ${accepted})`, fix);
    }
    if (!kinds.includes(kind)) {
      throw _invalid(prop, `${value.node.path} (a ${kind})`, `it is not a ${accepted}`, fix);
    }
    return new _K8sObject(value, api, kind, name);
  }

  /** A string member of an imported reference (cdk8s-plus `from...Name()` objects have `kind` and `name`). */
  private static referenceField(c: IConstruct, field: 'kind' | 'name'): string | undefined {
    const v = _field(c, field);
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  }

  private constructor(
    /** The construct the user passed. */
    public readonly construct: IConstruct,
    /** Its ApiObject; undefined for an imported reference. */
    public readonly apiObject: ApiObject | undefined,
    /** Its Kubernetes kind, e.g. `Deployment`. */
    public readonly kind: string,
    /** Its `metadata.name`. */
    public readonly name: string,
  ) {}

  /** A readable description for messages, e.g. `shop/catalog (catalog)`. */
  public get description(): string {
    return `${this.construct.node.path} (${this.name})`;
  }

  /** Its namespace: its own, a reference's reported one, else its chart's; undefined when none is known. */
  public get namespace(): string | undefined {
    if (this.apiObject) return _namespaceOf(this.apiObject);
    // a cdk8s-plus imported reference reports its namespace in its subject configuration
    const ref = this.construct as { toSubjectConfiguration?: () => unknown };
    const subject = typeof ref.toSubjectConfiguration === 'function' ? ref.toSubjectConfiguration() : undefined;
    return _text(_field(subject, 'namespace')) ?? _namespaceOf(this.construct);
  }

  /**
   * Its namespace; throws naming `prop` when none is known.
   * @param prop the public prop, for the message
   * @param needed what the namespace is needed for, e.g. "its principal cannot be derived"
   * @param fix what to do instead, e.g. "or use MeshIdentity.of(namespace, name)"
   */
  public requireNamespace(prop: string, needed: string, fix: string): string {
    const ns = this.namespace;
    if (!ns) {
      throw _invalid(prop, this.description, `it has no namespace, so ${needed}`,
        `set metadata.namespace on the ${this.kind} (or a namespace on its Chart), ${fix}`);
    }
    return ns;
  }

  /**
   * The labels that select the pods: a cdk8s-plus workload's `matchLabels`, else `spec.selector.matchLabels`,
   * else the pod (template) labels. Live: read each time.
   */
  public selectorLabels(): { [key: string]: string } {
    const live = _field(this.construct, 'matchLabels');
    if (typeof live === 'object' && live !== null) return { ...live as Labels };
    const json = this.render();
    const fromSelector = _field(json, 'spec', 'selector', 'matchLabels');
    if (this.kind !== 'Pod' && typeof fromSelector === 'object' && fromSelector !== null) return { ...fromSelector as Labels };
    return { ...(_field(this.podTemplate(json), 'metadata', 'labels') ?? {}) as Labels };
  }

  /** The service account the pods run as (`default` when none is set). */
  public serviceAccountName(): string {
    if (Array.isArray(_field(this.construct, 'containers'))) { // a cdk8s-plus pod or workload
      return _text(_field(this.construct, 'serviceAccount', 'name')) ?? 'default';
    }
    const spec = _field(this.podTemplate(this.render()), 'spec');
    return (_field(spec, 'serviceAccountName') ?? _field(spec, 'serviceAccount') ?? 'default') as string;
  }

  /** A Service's ports: a cdk8s-plus Service's `ports`, else `spec.ports`. */
  public servicePorts(): _ServicePort[] {
    const live = _field(this.construct, 'ports');
    const ports: unknown[] = Array.isArray(live) ? live : _list(_field(this.render(), 'spec', 'ports'));
    return ports.flatMap((p) => {
      const port = _field(p, 'port');
      return typeof port === 'number' ? [{ port, name: _field(p, 'name') as string | undefined }] : [];
    });
  }

  /** The object's labels (`metadata.labels`), live. */
  public labels(): { [key: string]: string } {
    return { ...(this.apiObject?.metadata.toJson().labels ?? {}) };
  }

  /** The rendered JSON (plain and imported objects render at any time). */
  private render(): unknown {
    return this.apiObject?.toJson();
  }

  /** The pod template (`{ metadata, spec }`) of a rendered workload; the object itself for a Pod. */
  private podTemplate(json: unknown): unknown {
    if (!json) return undefined;
    if (this.kind === 'Pod') return json;
    if (this.kind === 'CronJob') return _field(json, 'spec', 'jobTemplate', 'spec', 'template');
    return _field(json, 'spec', 'template');
  }
}
