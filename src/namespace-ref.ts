import { IConstruct } from 'constructs';
import { _K8sObject } from './_k8s';
import { _invalid, _validateDnsLabel } from './_utils';

/**
 * A namespace, as an object: a `SecureNamespace`, a Namespace object of the app (`NamespaceRef.fromNamespace()`),
 * or one managed elsewhere, by name (`NamespaceRef.named()`).
 */
export interface INamespaceRef {
  /** The namespace's name. */
  readonly namespaceName: string;
}

/**
 * References to namespaces, for props and parameters that name one (`CanaryService`, `MeshGateway`,
 * `MeshDependencies.registryOnlyNamespaces`, `MeshIdentity.namespace()`). A `SecureNamespace` is one already.
 *
 * @example
 * NamespaceRef.named('istio-ingress');      // managed outside this app
 * const payments = new kplus.Namespace(chart, 'payments', { metadata: { name: 'payments' } });
 * NamespaceRef.fromNamespace(payments);     // a cdk8s-plus Namespace (any version), plain or imported ApiObject
 */
export class NamespaceRef implements INamespaceRef {
  /**
   * A namespace managed outside this app (or not modelled in it), by name.
   *
   * @param namespace the namespace name (an RFC 1123 DNS label)
   */
  public static named(namespace: string): NamespaceRef {
    return new NamespaceRef(_validateDnsLabel('namespace', namespace));
  }

  /**
   * A Namespace object of the app.
   *
   * @param namespace the Namespace: a cdk8s-plus object of any version (27 through 33), a plain `ApiObject`,
   *   or an object imported with `cdk8s import k8s`
   */
  public static fromNamespace(namespace: IConstruct): NamespaceRef {
    const obj = _K8sObject.of('namespace', namespace, ['Namespace'], 'pass the Namespace, a SecureNamespace, or NamespaceRef.named("<name>")');
    return new NamespaceRef(_validateDnsLabel('namespace', obj.name));
  }

  private constructor(public readonly namespaceName: string) {}

  /** The namespace name. */
  public toString(): string {
    return this.namespaceName;
  }
}

/**
 * The name of a namespace prop (`INamespaceRef`), with the prop/value/fix message for what is not one,
 * in particular the plain strings these props took before 0.3.
 * @internal
 */
export function _namespaceName(prop: string, value: unknown): string {
  if (typeof value === 'string') {
    throw _invalid(prop, value, 'a namespace is given as an object (a SecureNamespace, a Namespace, or a reference by name), not a string',
      `pass the SecureNamespace, NamespaceRef.fromNamespace(namespace), or NamespaceRef.named("${value}")`);
  }
  const name = value !== null && typeof value === 'object' ? (value as { namespaceName?: unknown }).namespaceName : undefined;
  if (typeof name !== 'string') {
    throw _invalid(prop, value, 'it is not an INamespaceRef', 'pass a SecureNamespace, NamespaceRef.fromNamespace(namespace), or NamespaceRef.named("<name>")');
  }
  return _validateDnsLabel(prop, name);
}
