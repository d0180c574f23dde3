import { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition, ApiObjectProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _checkProps, _invalid, _validateDnsLabel, _validateDnsSubdomain } from './_utils';
import { _renderSharing } from './validation/_render-share';
import { MeshValidation } from './validation/mesh-validation';

/**
 * Props shared by every Istio resource of this library.
 */
export interface IstioResourceProps {
  /**
   * Metadata of the Istio object. `name` and `namespace` must be RFC 1123 names.
   *
   * @default - a name generated from the construct path and the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
}

/**
 * An Istio object defined by this library (an L2).
 */
export interface IIstioResource extends IConstruct {
  /** The object's `metadata.name`. */
  readonly name: string;
  /** The object's namespace, if the object or its chart sets one. */
  readonly namespace?: string;
  /** `apiVersion`, e.g. `networking.istio.io/v1`. */
  readonly apiVersion: string;
  /** `kind`, e.g. `VirtualService`. */
  readonly kind: string;
}

type L1Class = new (scope: Construct, id: string, props: any) => ApiObject;

/**
 * Base class of every L2: owns the generated L1 object under the id `Resource` (so
 * `ApiObject.of(l2)` reaches it and `addJsonPatch()` works as the escape hatch), and renders the spec
 * lazily from the subclass's private state at synth.
 *
 * Subclasses call `_createApiObject()` once in their constructor.
 */
export abstract class IstioResource extends Construct implements IIstioResource {
  /** @internal */
  public static _validateMetadata(metadata: ApiObjectMetadata | undefined): void {
    if (metadata?.name !== undefined) _validateDnsSubdomain('metadata.name', metadata.name);
    if (metadata?.namespace !== undefined) _validateDnsLabel('metadata.namespace', metadata.namespace);
  }

  /**
   * The generated L1 object: the escape hatch to any field Istio has.
   *
   * `ApiObject.of(resource)` returns the same object.
   */
  public abstract readonly apiObject: ApiObject;

  /**
   * Checks `metadata.name`/`metadata.namespace` (RFC 1123) and registers the app-wide synth-time checks
   * (schema, CEL and cross-resource mesh checks; `MeshValidation.disable(app)` turns them off).
   *
   * @param scope the parent construct (usually a Chart, whose namespace the object inherits)
   * @param id the construct id, unique within `scope` (the generated name derives from the construct path)
   * @param props the object's metadata
   */
  protected constructor(scope: Construct, id: string, props: IstioResourceProps = {}) {
    super(scope, id);
    _checkProps('props', props, false, `{ metadata: { name: "${id}" } }`);
    IstioResource._validateMetadata(props?.metadata);
    // schema + CEL + cross-resource mesh checks over the whole app at synth (once per app; opt-out:
    // MeshValidation.disable(app) or context cdk8s-istio/validation=false)
    MeshValidation._register(this);
  }

  /** The object's `metadata.name`. */
  public get name(): string {
    return this.apiObject.name;
  }

  /**
   * The object's namespace: `metadata.namespace`, else the chart's namespace.
   *
   * @default - undefined when neither the object nor its chart sets one
   */
  public get namespace(): string | undefined {
    return this.apiObject.metadata.namespace;
  }

  /** The object's metadata (labels and annotations can be added after construction). */
  public get metadata(): ApiObjectMetadataDefinition {
    return this.apiObject.metadata;
  }

  /** `apiVersion`, e.g. `networking.istio.io/v1`. */
  public get apiVersion(): string {
    return this.apiObject.apiVersion;
  }

  /** `kind`, e.g. `VirtualService`. */
  public get kind(): string {
    return this.apiObject.kind;
  }

  /**
   * Creates the generated L1 under id `Resource` and makes it this construct's default child.
   *
   * The L1 renders through `ApiObject.toJson()` (sorted keys, JSON patches applied last, on the real
   * Istio field names); `spec` is a lazy value whose producer must already return Istio JSON (use the
   * generated `toJson_<Kind>Spec()` converter on a typed spec).
   *
   * @internal
   */
  protected _createApiObject(l1: L1Class, props: ApiObjectProps | { [key: string]: any }): ApiObject {
    // Same GVK; renders without the generated per-field converter, which would drop JSON-patched fields
    // and read TypeScript field names (e.g. `consecutive5XxErrors`); takes the synth-time checks' render
    const raw = _renderSharing(l1, true);
    const obj = new raw(this, 'Resource', props);
    this.node.defaultChild = obj;
    return obj;
  }

  /**
   * The namespace this resource lives in, or a clear error naming the fix.
   *
   * @internal
   */
  public _requireNamespace(purpose: string): string {
    const ns = this.namespace;
    if (!ns) {
      throw _invalid(`${this.kind} '${this.node.path}' metadata.namespace`, ns, `a namespace is needed to ${purpose}`,
        'set metadata.namespace on it or a namespace on its Chart');
    }
    return ns;
  }
}
