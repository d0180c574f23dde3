import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';

/**
 * Who may reference objects in the grant's namespace.
 */
export interface ReferenceGrantFrom {
  /** API group of the referencing kind (`gateway.networking.k8s.io`). */
  readonly group: string;
  /** The referencing kind (`HTTPRoute`, `Gateway`). */
  readonly kind: string;
  /** The namespace of the referencing objects. */
  readonly namespace: string;
}

/**
 * What may be referenced, in the grant's namespace.
 */
export interface ReferenceGrantTo {
  /** API group of the referenced kind (`""` for core). */
  readonly group: string;
  /** The referenced kind (`Service`, `Secret`). */
  readonly kind: string;
  /**
   * One object by name.
   *
   * @default - every object of the kind
   */
  readonly name?: string;
}

/**
 * Props for `ReferenceGrant`.
 */
export interface ReferenceGrantProps extends IstioResourceProps {
  /** Who may reference. */
  readonly from: ReferenceGrantFrom[];
  /** What may be referenced. */
  readonly to: ReferenceGrantTo[];
}

/**
 * A Gateway API `ReferenceGrant` (`gateway.networking.k8s.io/v1`): lets routes or gateways in other
 * namespaces reference Services or Secrets in this one. It must live in the namespace of the referenced objects.
 */
export class ReferenceGrant extends IstioResource {
  public readonly apiObject: ApiObject;
  private readonly from: ReferenceGrantFrom[];
  private readonly to: ReferenceGrantTo[];

  /**
   * Defines a ReferenceGrant, to put in the namespace of the referenced objects.
   *
   * @param scope the parent construct (usually a Chart of the referenced objects' namespace)
   * @param id the construct id, unique within `scope`
   * @param props `from` (group, kind and namespace of the referring routes or gateways) and `to` (group,
   * kind and optionally name of the referenced objects), each with at least one entry
   */
  constructor(scope: Construct, id: string, props: ReferenceGrantProps) {
    super(scope, id, props);
    if (!props.from?.length || !props.to?.length) {
      throw _invalid('from/to', { from: props.from, to: props.to }, 'a ReferenceGrant needs at least one entry in both from and to', 'list who may reference what');
    }
    if (props.from.length > 16 || props.to.length > 16) {
      throw _invalid('from/to', { from: props.from.length, to: props.to.length }, 'a ReferenceGrant has at most 16 entries in from and in to', 'split it into several ReferenceGrants');
    }
    for (const f of props.from) {
      _validateDnsLabel('from.namespace', f.namespace);
      if (f.group !== '') _validateDnsSubdomain('from.group', f.group);
    }
    for (const t of props.to) {
      if (t.group !== '') _validateDnsSubdomain('to.group', t.group);
      if (t.name !== undefined) _validateDnsSubdomain('to.name', t.name);
    }
    this.from = props.from.map((f) => ({ ...f }));
    this.to = props.to.map((t) => ({ ...t }));
    this.apiObject = this._createApiObject(gw.ReferenceGrant, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => gw.toJson_ReferenceGrantSpec({ from: this.from, to: this.to }) }),
    });
  }

  /**
   * Adds a `to` entry unless an equal one is there (routes that create their grants call this per backend).
   *
   * @returns false when the grant is full (16 entries) and does not have it
   * @internal
   */
  public _allow(to: ReferenceGrantTo): boolean {
    if (this.to.some((t) => t.group === to.group && t.kind === to.kind && t.name === to.name)) return true;
    if (this.to.length >= 16) return false;
    this.to.push({ ...to });
    return true;
  }
}
