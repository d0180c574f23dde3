import { Duration, Testing } from 'cdk8s';
import { Certificate, CertificateIssuer, ConformanceValidator, PrivateKeyAlgorithm, PrivateKeyRotationPolicy } from '../src';

const issuer = CertificateIssuer.clusterIssuer('letsencrypt-prod');

describe('Certificate', () => {
  test('renders issuerRef, DNS names, Secret and a secure default key', () => {
    // GIVEN / WHEN
    const chart = Testing.chart();
    new Certificate(chart, 'c', {
      metadata: { name: 'shop', namespace: 'istio-ingress' },
      dnsNames: ['shop.example.com', '*.shop.example.com'],
      secretName: 'shop-example-com-cert',
      issuer,
    });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(obj).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'shop', namespace: 'istio-ingress' },
      spec: {
        secretName: 'shop-example-com-cert',
        dnsNames: ['shop.example.com', '*.shop.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
    expect(ConformanceValidator.builtIn().validate(obj)).toEqual([]);
  });

  test('renders duration and renewBefore in Go syntax, RSA and Ed25519 keys, Issuer and external issuers', () => {
    const chart = Testing.chart();
    new Certificate(chart, 'a', {
      metadata: { name: 'a', namespace: 'x' },
      dnsNames: ['a.example.com'],
      secretName: 'a',
      issuer: CertificateIssuer.issuer('ca'),
      duration: Duration.days(30),
      renewBefore: Duration.minutes(90),
      privateKey: { algorithm: PrivateKeyAlgorithm.RSA, size: 4096, rotationPolicy: PrivateKeyRotationPolicy.NEVER },
    });
    new Certificate(chart, 'b', {
      metadata: { name: 'b', namespace: 'x' },
      dnsNames: ['b.example.com'],
      secretName: 'b',
      issuer: CertificateIssuer.external('awspca.cert-manager.io', 'AWSPCAClusterIssuer', 'pca'),
      duration: Duration.seconds(3601),
      privateKey: { algorithm: PrivateKeyAlgorithm.ED25519 },
    });
    const [a, b] = Testing.synth(chart);
    expect(a.spec).toEqual({
      secretName: 'a',
      dnsNames: ['a.example.com'],
      issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'ca' },
      duration: '720h',
      renewBefore: '90m',
      privateKey: { algorithm: 'RSA', size: 4096, rotationPolicy: 'Never' },
    });
    expect(b.spec).toEqual({
      secretName: 'b',
      dnsNames: ['b.example.com'],
      issuerRef: { group: 'awspca.cert-manager.io', kind: 'AWSPCAClusterIssuer', name: 'pca' },
      duration: '3601s',
      privateKey: { algorithm: 'Ed25519', rotationPolicy: 'Always' },
    });
    expect([a, b].flatMap((o) => ConformanceValidator.builtIn().validate(o))).toEqual([]);
  });

  test('near-misses stay valid: the minimum duration, the minimum renewBefore, RSA 2048..8192, ECDSA 521', () => {
    const c = Testing.chart();
    const base = { dnsNames: ['a.example.com'], secretName: 's', issuer };
    expect(() => new Certificate(c, 'a', { ...base, duration: Duration.hours(1), renewBefore: Duration.minutes(5) })).not.toThrow();
    expect(() => new Certificate(c, 'b', { ...base, privateKey: { algorithm: PrivateKeyAlgorithm.RSA, size: 8192 } })).not.toThrow();
    expect(() => new Certificate(c, 'd', { ...base, privateKey: { algorithm: PrivateKeyAlgorithm.ECDSA, size: 521 } })).not.toThrow();
  });

  const base = { dnsNames: ['a.example.com'], secretName: 's', issuer };
  test.each<[string, any, string]>([
    ['no DNS names', { ...base, dnsNames: [] }, 'Invalid dnsNames []: a certificate needs at least one DNS name'],
    ['a DNS name listed twice', { ...base, dnsNames: ['a.example.com', 'a.example.com'] }, 'Invalid dnsNames "a.example.com": it is listed twice'],
    ['an uppercase DNS name', { ...base, dnsNames: ['A.example.com'] }, 'Invalid dnsNames "A.example.com": DNS names in certificates are compared in lowercase. Fix: use "a.example.com"'],
    ['a partial wildcard', { ...base, dnsNames: ['*a.example.com'] }, 'Invalid dnsNames "*a.example.com": a partial wildcard "*a" is not allowed here (Gateway API hostnames and certificate DNS names take a whole "*." label only)'],
    ['a wildcard inside a label', { ...base, dnsNames: ['a*.example.com'] }, 'Invalid dnsNames "a*.example.com": only the first label may hold a wildcard'],
    ['a Secret name that is not a DNS subdomain', { ...base, secretName: 'Shop_Cert' }, 'Invalid secretName "Shop_Cert"'],
    ['no issuer', { ...base, issuer: undefined }, 'Invalid issuer (undefined): a certificate needs an issuer'],
    ['a duration under 1 hour', { ...base, duration: Duration.minutes(59) }, 'Invalid duration "59m": cert-manager requires a duration of at least 1 hour'],
    ['renewBefore under 5 minutes', { ...base, renewBefore: Duration.minutes(4) }, 'Invalid renewBefore "4m": cert-manager requires renewBefore of at least 5 minutes'],
    ['renewBefore not shorter than the duration', { ...base, duration: Duration.hours(2), renewBefore: Duration.hours(2) },
      'Invalid renewBefore "2h": it is not shorter than the duration (2h), so the certificate would renew forever'],
    ['renewBefore not shorter than the default 90 days', { ...base, renewBefore: Duration.days(90) }, 'Invalid renewBefore "2160h": it is not shorter than the duration (2160h)'],
    ['an RSA key under 2048 bits', { ...base, privateKey: { algorithm: PrivateKeyAlgorithm.RSA, size: 1024 } }, 'Invalid privateKey.size 1024: an RSA key has 2048 to 8192 bits'],
    ['an ECDSA key of another size', { ...base, privateKey: { algorithm: PrivateKeyAlgorithm.ECDSA, size: 512 } }, 'Invalid privateKey.size 512: an ECDSA key is on P-256, P-384 or P-521'],
    ['an Ed25519 key with a size', { ...base, privateKey: { algorithm: PrivateKeyAlgorithm.ED25519, size: 256 } }, 'Invalid privateKey.size 256: an Ed25519 key has a fixed size'],
    ['an unknown key algorithm (JavaScript)', { ...base, privateKey: { algorithm: 'DSA' } }, 'Invalid privateKey.algorithm "DSA": cert-manager accepts RSA, ECDSA or Ed25519'],
  ])('fails: %s', (_name, props, message) => {
    expect(() => new Certificate(Testing.chart(), 'c', props)).toThrow(message);
  });

  test('fails: no props (JavaScript)', () => {
    expect(() => new Certificate(Testing.chart(), 'c', undefined as any)).toThrow('Invalid props (undefined): it is required and must be an object');
  });

  test('fails: issuers cert-manager rejects', () => {
    expect(() => CertificateIssuer.external('cert-manager.io', 'VenafiIssuer', 'v')).toThrow('Invalid issuer group "cert-manager.io": cert-manager.io has only the kinds Issuer and ClusterIssuer');
    expect(() => CertificateIssuer.external('example.io', 'not-a-kind', 'v')).toThrow('Invalid issuer kind "not-a-kind": it is not a Kubernetes kind');
    expect(() => CertificateIssuer.clusterIssuer('Lets_Encrypt')).toThrow('Invalid clusterIssuer name "Lets_Encrypt"');
  });
});
