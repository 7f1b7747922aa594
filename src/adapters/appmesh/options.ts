/**
 * The App Mesh adapter's options (`--option key=value`), their defaults and their validation.
 * TLS keys may also be given as annotations on an MTLSPolicy or AccessPolicy, which then win over
 * the command line for the services that policy covers (a policy may carry its own certificates).
 */
import type { CompileContext } from '../../core/adapter.js';
import { type AdapterOption, optionFor } from '../../core/adapter-options.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { APPMESH_MESSAGES } from './messages.js';

export const DEFAULT_MESH = 'anymesh';
export const DEFAULT_VERSION_HOSTNAME = '{service}-{version}.{namespace}.svc.{clusterDomain}';
export const DEFAULT_SPIFFE_ID = 'spiffe://{trustDomain}/ns/{namespace}/sa/{serviceAccount}';
export const DEFAULT_SDS_TRUST = 'spiffe://{trustDomain}';

/** Every option, with its type and default: what the CLI, `capabilities -o json` and the docs show. */
export const APPMESH_OPTIONS: readonly AdapterOption[] = [
  {
    key: 'appmesh.mesh',
    type: 'string',
    default: DEFAULT_MESH,
    description: `Name of the App Mesh Mesh the resources belong to. Default: ${DEFAULT_MESH}.`,
  },
  {
    key: 'appmesh.emitMesh',
    type: 'boolean',
    default: 'true',
    description:
      'true: emit the cluster-scoped Mesh object; false: leave an existing Mesh alone (since 2024-09-24 AWS onboards no new customers, so most users already have one). Default: true.',
  },
  {
    key: 'appmesh.namespaceLabel',
    type: 'string',
    default: 'mesh',
    description:
      'The namespace label that selects member namespaces: Mesh.spec.namespaceSelector.matchLabels {<label>: <mesh>}; label your namespaces so. Default: mesh.',
  },
  {
    key: 'appmesh.egressFilter',
    type: 'enum',
    values: ['DROP_ALL', 'ALLOW_ALL'],
    default: 'DROP_ALL',
    description:
      "DROP_ALL (virtual nodes reach only their backends and *.amazonaws.com) or ALLOW_ALL. Default: DROP_ALL, App Mesh's own default; the caller emulation relies on it.",
  },
  {
    key: 'appmesh.versionHostname',
    type: 'string',
    default: DEFAULT_VERSION_HOSTNAME,
    description: `DNS name of a version's pods, for VirtualNode serviceDiscovery.dns.hostname; placeholders {service} {version} {namespace} {clusterDomain}. A Service of that name must select the version's pods. Default: ${DEFAULT_VERSION_HOSTNAME}.`,
  },
  {
    key: 'appmesh.versionServices',
    type: 'boolean',
    default: 'true',
    description:
      'true: emit a Service <service>-<version> per version (port spec.port to the same container port) so the default version hostnames resolve; false: you provide them. Ignored when appmesh.versionHostname names something other than <name>.<namespace>.svc.<cluster domain>. Default: true.',
  },
  {
    key: 'appmesh.backends.<namespace>.<service>',
    type: 'list',
    description:
      "Comma-separated virtual services the service calls (`name` in the same namespace or `name.namespace`), emitted as its VirtualNodes' spec.backends. Without it the generated VirtualNodes list no backends and cannot call mesh services. Default: none.",
  },
  {
    key: 'appmesh.spiffeId',
    type: 'string',
    default: DEFAULT_SPIFFE_ID,
    description: `Certificate SAN of a caller, for AccessPolicy allow-lists (listener tls.validation.subjectAlternativeNames); placeholders {trustDomain} {namespace} {serviceAccount}. Default: ${DEFAULT_SPIFFE_ID}.`,
  },
  {
    key: 'appmesh.tls.certificate',
    type: 'enum',
    values: ['file', 'sds', 'acm'],
    description:
      'Source of workload certificates for mTLS: file, sds (SPIRE through the Envoy SDS socket) or acm (AWS Certificate Manager; server side only). Required for MTLSPolicy and AccessPolicy. Default: none.',
  },
  {
    key: 'appmesh.tls.certificateChain',
    type: 'string',
    description:
      "file: path of the certificate chain inside the Envoy container; placeholders {service} {version} {namespace}. AWS requires a SAN of the certificate to match the VirtualNode's DNS hostname. Required with file.",
  },
  {
    key: 'appmesh.tls.privateKey',
    type: 'string',
    description:
      'file: path of the private key inside the Envoy container; placeholders as above. Required with file.',
  },
  {
    key: 'appmesh.tls.trustChain',
    type: 'string',
    description: 'file: path of the CA bundle that validates peers (both directions). Required with file.',
  },
  {
    key: 'appmesh.tls.sdsSecretName',
    type: 'string',
    description:
      'sds: the SDS secret of the workload certificate (its SPIFFE ID registered in SPIRE), e.g. spiffe://example.org/ns/{namespace}/sa/{service}; placeholders {service} {version} {namespace} {trustDomain}. Required with sds.',
  },
  {
    key: 'appmesh.tls.sdsTrustSecretName',
    type: 'string',
    default: DEFAULT_SDS_TRUST,
    description: `sds: the SDS secret of the trust bundle. Default: ${DEFAULT_SDS_TRUST}.`,
  },
  {
    key: 'appmesh.tls.acmCertificateArn',
    type: 'string',
    description:
      'acm: ARN of the ACM certificate servers present; placeholders {service} {version} {namespace}. Required with acm.',
  },
  {
    key: 'appmesh.tls.acmCertificateAuthorityArns',
    type: 'list',
    description:
      'acm: comma-separated ARNs (1 to 3) of the ACM Private CAs clients trust. Required with acm.',
  },
];

const BACKENDS_PREFIX = 'appmesh.backends.';

export interface AppMeshOptions {
  readonly mesh: string;
  readonly emitMesh: boolean;
  readonly namespaceLabel: string;
  readonly egressFilter: 'DROP_ALL' | 'ALLOW_ALL';
  readonly versionHostname: string;
  readonly versionServices: boolean;
  readonly spiffeId: string;
  /** `namespace/service` -> virtual services it calls, as `{name, namespace}`. */
  readonly backends: ReadonlyMap<string, readonly { name: string; namespace: string }[]>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const bad = (key: string, value: string, why: string): Diagnostic =>
  makeDiagnostic(APPMESH_MESSAGES.UnknownOption, { key, value, why });

/** Reads and checks the options; every problem is reported, defaults fill the rest. */
export function readOptions(ctx: CompileContext): { options: AppMeshOptions; diagnostics: Diagnostic[] } {
  const o = ctx.options;
  const diagnostics: Diagnostic[] = [];
  const backends = new Map<string, { name: string; namespace: string }[]>();
  for (const key of Object.keys(o).sort()) {
    if (!key.startsWith('appmesh.')) continue;
    const value = o[key]!;
    if (key.startsWith(BACKENDS_PREFIX)) {
      const [namespace, service, ...rest] = key.slice(BACKENDS_PREFIX.length).split('.');
      if (!namespace || !service || rest.length || !DNS_LABEL.test(namespace) || !DNS_LABEL.test(service)) {
        diagnostics.push(bad(key, value, 'the key is appmesh.backends.<namespace>.<service>'));
        continue;
      }
      const list: { name: string; namespace: string }[] = [];
      for (const item of value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [name, ns, ...more] = item.split('.');
        if (!name || more.length || !DNS_LABEL.test(name) || (ns !== undefined && !DNS_LABEL.test(ns))) {
          diagnostics.push(
            bad(key, value, `${JSON.stringify(item)} is not <service> or <service>.<namespace>`),
          );
          continue;
        }
        list.push({ name, namespace: ns ?? namespace });
      }
      backends.set(`${namespace}/${service}`, list);
    } else if (!optionFor(APPMESH_OPTIONS, key)) {
      diagnostics.push(
        bad(key, value, `unknown App Mesh option; known: ${APPMESH_OPTIONS.map((o) => o.key).join(', ')}`),
      );
    }
  }
  const mesh = o['appmesh.mesh'] ?? DEFAULT_MESH;
  if (!DNS_LABEL.test(mesh)) diagnostics.push(bad('appmesh.mesh', mesh, 'a mesh name is a DNS-1123 label'));
  const emitMesh = o['appmesh.emitMesh'] ?? 'true';
  if (emitMesh !== 'true' && emitMesh !== 'false')
    diagnostics.push(bad('appmesh.emitMesh', emitMesh, 'use true or false'));
  const versionServices = o['appmesh.versionServices'] ?? 'true';
  if (versionServices !== 'true' && versionServices !== 'false')
    diagnostics.push(bad('appmesh.versionServices', versionServices, 'use true or false'));
  const egress = o['appmesh.egressFilter'] ?? 'DROP_ALL';
  if (egress !== 'DROP_ALL' && egress !== 'ALLOW_ALL')
    diagnostics.push(bad('appmesh.egressFilter', egress, 'use DROP_ALL or ALLOW_ALL'));
  const tlsSource = o['appmesh.tls.certificate'];
  if (tlsSource !== undefined && !TLS_SOURCES.includes(tlsSource as TlsSource))
    diagnostics.push(bad('appmesh.tls.certificate', tlsSource, 'use file, sds or acm'));
  return {
    options: {
      mesh,
      emitMesh: emitMesh !== 'false',
      namespaceLabel: o['appmesh.namespaceLabel'] ?? 'mesh',
      egressFilter: egress === 'ALLOW_ALL' ? 'ALLOW_ALL' : 'DROP_ALL',
      versionHostname: o['appmesh.versionHostname'] ?? DEFAULT_VERSION_HOSTNAME,
      versionServices: versionServices !== 'false',
      spiffeId: o['appmesh.spiffeId'] ?? DEFAULT_SPIFFE_ID,
      backends,
    },
    diagnostics,
  };
}

/** Fills `{name}` placeholders; unknown ones stay as written so users see them in the output. */
export function fill(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export type TlsSource = 'file' | 'sds' | 'acm';
const TLS_SOURCES: readonly TlsSource[] = ['file', 'sds', 'acm'];

/** Certificate material for one virtual node, or why there is none. */
export type TlsMaterial =
  | {
      readonly source: 'file';
      readonly certificateChain: string;
      readonly privateKey: string;
      readonly trustChain: string;
    }
  | { readonly source: 'sds'; readonly secretName: string; readonly trustSecretName: string }
  | { readonly source: 'acm'; readonly certificateArn: string; readonly authorityArns: string[] }
  | { readonly missing: string };

/**
 * The TLS material for a node of `service` (`version` when it has one): the policy's annotations
 * first, then the command-line options.
 */
export function tlsMaterial(
  ctx: CompileContext,
  policy: PolicyDoc | undefined,
  at: { service: string; version?: string; namespace: string },
): TlsMaterial {
  const annotations = policy?.policy.metadata.annotations ?? {};
  const get = (key: string): string | undefined => annotations[key] ?? ctx.options[key];
  const values = { ...at, trustDomain: ctx.trustDomain, clusterDomain: ctx.clusterDomain };
  const source = get('appmesh.tls.certificate');
  if (source === undefined) return { missing: 'appmesh.tls.certificate is not set' };
  const need = (keys: string[]): string | undefined => {
    const absent = keys.filter((k) => !get(k));
    return absent.length ? `appmesh.tls.certificate=${source} needs ${absent.join(', ')}` : undefined;
  };
  switch (source) {
    case 'file': {
      const missing = need([
        'appmesh.tls.certificateChain',
        'appmesh.tls.privateKey',
        'appmesh.tls.trustChain',
      ]);
      if (missing) return { missing };
      return {
        source,
        certificateChain: fill(get('appmesh.tls.certificateChain')!, values),
        privateKey: fill(get('appmesh.tls.privateKey')!, values),
        trustChain: fill(get('appmesh.tls.trustChain')!, values),
      };
    }
    case 'sds': {
      const missing = need(['appmesh.tls.sdsSecretName']);
      if (missing) return { missing };
      return {
        source,
        secretName: fill(get('appmesh.tls.sdsSecretName')!, values),
        trustSecretName: fill(get('appmesh.tls.sdsTrustSecretName') ?? DEFAULT_SDS_TRUST, values),
      };
    }
    case 'acm': {
      const missing = need(['appmesh.tls.acmCertificateArn', 'appmesh.tls.acmCertificateAuthorityArns']);
      if (missing) return { missing };
      const authorityArns = get('appmesh.tls.acmCertificateAuthorityArns')!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (authorityArns.length < 1 || authorityArns.length > 3)
        return {
          missing: `appmesh.tls.acmCertificateAuthorityArns lists ${authorityArns.length} ARNs; App Mesh takes 1 to 3`,
        };
      return { source, certificateArn: fill(get('appmesh.tls.acmCertificateArn')!, values), authorityArns };
    }
    default:
      return { missing: `appmesh.tls.certificate=${source} is not file, sds or acm` };
  }
}
