/**
 * The certificates of a MeshGateway's HTTPS servers: which hosts each server (and its Secret) covers, and the
 * cert-manager Certificates for the `GatewayTls.certificate()` forms. Internal: MeshGateway's part, kept in
 * its own file.
 */
import { Construct } from 'constructs';
import { _hostsMatch, _hostSubsetOf } from '../_naming';
import { _invalid } from '../_utils';
import { Certificate } from '../certificate';
import { GatewayTls } from '../gateway';

/** One HTTPS server of the gateway: its TLS and its live host list. @internal */
export interface _EdgeTlsServer {
  readonly name: string;
  readonly tls: GatewayTls;
  readonly hosts: string[];
  /** The cert-manager Certificate writing `tls.credentialName`, for `GatewayTls.certificate()`. */
  readonly certificate?: Certificate;
}

/**
 * The HTTPS servers of a MeshGateway: `tls` for every host not in a `certificates` entry, one server per
 * entry for its hosts (Istio picks the server by SNI). Hosts the gateway does not serve are refused (at
 * construction with fixed hosts, else at synth), and so is a served host that no certificate covers.
 * @internal
 */
export class _EdgeCertificates {
  /** The servers, the default (`tls`) first. */
  public readonly servers: _EdgeTlsServer[] = [];
  private readonly grouped = new Map<string, _EdgeTlsServer>();
  /** Hosts with routes. */
  private readonly exposed = new Set<string>();

  constructor(
    scope: Construct,
    workloadNamespace: string,
    private readonly gatewayRef: string,
    tls: GatewayTls,
    certificates: GatewayTls[],
    private readonly fixedHosts: string[] | undefined,
  ) {
    const secrets = new Set<string>();
    certificates.forEach((c, i) => {
      if (!(c instanceof GatewayTls) || !c._certificate?.hosts) {
        throw _invalid(`certificates[${i}]`, c instanceof GatewayTls ? c.mode : c, 'each entry is a certificate for its own hosts',
          'use GatewayTls.certificate({ credentialName, issuer, hosts: ["api.example.com"] })');
      }
      const server: _EdgeTlsServer = { name: `https-${i + 1}`, tls: c, hosts: [...c._certificate.hosts] };
      for (const h of server.hosts) {
        if (this.grouped.has(h)) throw _invalid(`certificates[${i}].hosts`, h, 'another certificate already covers it', 'list each host in one certificate');
        this.grouped.set(h, server);
        if (fixedHosts) this.checkServed(`certificates[${i}].hosts`, h);
      }
      this.servers.push(server);
    });
    const defaults = fixedHosts ? fixedHosts.filter((h) => !this.grouped.has(h)) : [];
    this.servers.unshift({ name: 'https', tls, hosts: defaults });
    for (const s of this.servers) {
      const c = s.tls._certificate;
      if (!c) continue;
      if (secrets.has(c.credentialName)) {
        throw _invalid('credentialName', c.credentialName, 'two certificates would write the same Secret', 'give each certificate its own credentialName');
      }
      secrets.add(c.credentialName);
      if (c.hosts && s.name === 'https' && fixedHosts) c.hosts.forEach((h) => this.checkServed('tls hosts', h));
      const { hosts: _h, credentialName, minProtocolVersion: _min, maxProtocolVersion: _max, cipherSuites: _c, ...options } = c;
      const metadata = { name: credentialName, namespace: workloadNamespace };
      (s as { certificate?: Certificate }).certificate = c.hosts
        ? new Certificate(scope, `Certificate-${credentialName}`, { metadata, dnsNames: c.hosts, secretName: credentialName, ...options })
        : Certificate._live(scope, `Certificate-${credentialName}`, { metadata, secretName: credentialName, ...options }, s.hosts);
    }
    scope.node.addValidation({ validate: () => this.errors() });
  }

  /** The default server's hosts (live: `hostAdded()` fills them when hosts come from `expose()`). */
  public get defaultHosts(): string[] {
    return this.servers[0].hosts;
  }

  /** A host got its first route: it joins the default server (hosts from expose()) unless a certificate entry has it. */
  public hostAdded(host: string): void {
    this.exposed.add(host);
    if (!this.fixedHosts && !this.grouped.has(host)) this.servers[0].hosts.push(host);
  }

  private checkServed(prop: string, host: string): void {
    if (!this.fixedHosts!.some((h) => _hostsMatch(h, host))) {
      throw _invalid(prop, host, `gateway '${this.gatewayRef}' does not serve it, so a certificate for it would never be presented`,
        `add it to the gateway's hosts (now ${JSON.stringify(this.fixedHosts)}), or leave it out of the certificate`);
    }
  }

  /** At synth: certificate hosts without routes (hosts from expose()), and served hosts the default certificate does not cover. */
  private errors(): string[] {
    const errors: string[] = [];
    for (const s of this.servers) {
      const explicit = s.name === 'https' ? s.tls._certificate?.hosts : s.hosts;
      for (const h of this.fixedHosts ? [] : explicit ?? []) {
        if (!this.exposed.has(h)) {
          errors.push(_invalid('certificate hosts', h, `gateway '${this.gatewayRef}' does not serve it (nothing is exposed on it), so its certificate would never be presented`,
            'expose a route on the host, or leave it out of the certificate').message);
        }
      }
      const dnsNames = s.tls._certificate?.hosts;
      if (s.name !== 'https' || !dnsNames) continue;
      for (const h of s.hosts) {
        if (!dnsNames.some((d) => _hostSubsetOf(h, d))) {
          errors.push(_invalid('tls hosts', dnsNames, `the HTTPS server serves ${h}, which certificate ${s.tls.credentialName} does not cover, so clients would reject it`,
            `add "${h}" to the certificate's hosts, or give it a certificate of its own in certificates`).message);
        }
      }
    }
    return errors;
  }
}
