/**
 * Listener TLS of a service's VirtualNodes -> MTLSPolicy (mode) and AccessPolicy (the callers its
 * certificate check lets in), the inverse of mtls.ts and access.ts.
 *
 * - `tls.mode` STRICT | PERMISSIVE is the neutral mode; DISABLED is plaintext, which no neutral
 *   policy asks for (reported).
 * - The certificate source (file, SDS; ACM is cloud-only) is App Mesh configuration, not policy:
 *   it goes to the imported policy's annotations (`appmesh.tls.*`, which the App Mesh adapter reads
 *   back, options.ts), so the policy compiles back to the same listener and other meshes ignore it.
 * - `validation.subjectAlternativeNames.match.exact` with SPIFFE IDs
 *   `spiffe://<trust domain>/ns/<ns>/sa/<sa>` (SPIRE's convention, appmesh.spiffeId) is an
 *   allow-list of callers by service account (AWS user guide, mutual-tls.html): an AccessPolicy.
 */
import type { ImportedPolicy } from '../../core/import.js';
import type { FieldPath } from '../../core/loader/positions.js';
import { neutralPolicy } from '../kit/import-kit.js';
import type { NodeInfo } from './import-nodes.js';
import type { AppMeshReader, Obj } from './import-reader.js';
import type { ServiceIR } from './import-routing.js';
import { DEFAULT_SDS_TRUST, DEFAULT_SPIFFE_ID, fill } from './options.js';

const TLS: FieldPath = ['spec', 'listeners', 0, 'tls'];

export function importSecurity(services: readonly ServiceIR[], r: AppMeshReader): ImportedPolicy[] {
  return services.flatMap((s) => serviceSecurity(s, r));
}

function serviceSecurity(s: ServiceIR, r: AppMeshReader): ImportedPolicy[] {
  const withTls = s.nodes.filter((n) => r.ledger.peek(n.o, TLS) !== undefined);
  if (!withTls.length) return [];
  if (withTls.length < s.nodes.length) {
    for (const n of withTls)
      r.lost(
        n.o,
        TLS,
        `TLS on some versions of ${s.service} only; a neutral MTLSPolicy covers the whole service`,
      );
    return [];
  }
  const first = withTls[0]!;
  const mode = r.ledger.peek<string>(first.o, [...TLS, 'mode']);
  if (mode !== 'STRICT' && mode !== 'PERMISSIVE') {
    for (const n of withTls)
      r.lost(
        n.o,
        TLS,
        mode === 'DISABLED'
          ? 'TLS mode DISABLED (plaintext) has no neutral form; without an MTLSPolicy the target mesh keeps its default, which in Istio and Linkerd is mutual TLS'
          : `TLS mode ${mode} is not STRICT or PERMISSIVE`,
      );
    return [];
  }
  const material = new Map<string, Map<NodeInfo, string>>();
  const sans = new Map<NodeInfo, string[]>();
  for (const n of withTls) {
    r.rest(n.o, TLS, ['mode', 'certificate', 'validation'], 'tls');
    if (r.ledger.peek(n.o, [...TLS, 'mode']) !== mode) {
      r.lost(
        n.o,
        [...TLS, 'mode'],
        `the versions of ${s.service} use different TLS modes; a neutral MTLSPolicy has one`,
      );
      continue;
    }
    r.ledger.take(n.o, [...TLS, 'mode']);
    for (const [k, v] of readMaterial(n, r)) {
      const m = material.get(k) ?? new Map<NodeInfo, string>();
      m.set(n, v);
      material.set(k, m);
    }
    sans.set(n, readSans(n, r));
  }
  const annotations: Record<string, string> = {};
  for (const [key, values] of material) {
    const v = template(values, s);
    if (v !== undefined) annotations[key] = v;
    else
      for (const n of values.keys())
        r.lost(
          n.o,
          [...TLS, 'certificate'],
          `the versions of ${s.service} use certificate settings no one template gives (${key})`,
        );
  }
  const sources = (kind: string) => [
    ...new Set(
      s.nodes.flatMap((n) => (n.meta.sources ?? []).filter((x) => x.kind === kind).map((x) => x.name)),
    ),
  ];
  const managed = s.nodes.some((n) => n.meta.sources?.length);
  const mtlsNames = sources('MTLSPolicy');
  const accessNames = sources('AccessPolicy');
  const callers = [...new Set([...sans.values()].flat())].sort();
  const selector =
    Object.keys(s.selector).length === 1 && s.selector.app === s.service ? {} : { selector: s.selector };
  const from = withTls.map((n) => n.o.ref);
  const out: ImportedPolicy[] = [];
  const withMtls = !managed || mtlsNames.length > 0 || !callers.length;
  if (withMtls)
    out.push(
      neutralPolicy(
        'MTLSPolicy',
        meta(mtlsNames[0] ?? s.service, s.namespace, annotations),
        { mode: mode === 'STRICT' ? 'strict' : 'permissive', service: s.service, ...selector },
        from,
      ),
    );
  if (callers.length && mode === 'STRICT') {
    const list = callers.map((c) => {
      const [namespace, serviceAccount] = c.split('/');
      return { namespace, serviceAccount };
    });
    out.push(
      neutralPolicy(
        'AccessPolicy',
        meta(accessNames[0] ?? s.service, s.namespace, withMtls ? {} : annotations),
        { service: s.service, ...selector, action: 'allow', from: list },
        from,
      ),
    );
  }
  return out;
}

function meta(name: string, namespace: string, annotations: Record<string, string>) {
  return { name, namespace, ...(Object.keys(annotations).length ? { annotations } : {}) };
}

/** `appmesh.tls.*` annotation values of one node's listener certificate and trust. */
function readMaterial(n: NodeInfo, r: AppMeshReader): [string, string][] {
  const cert = [...TLS, 'certificate'];
  const trust = [...TLS, 'validation', 'trust'];
  r.rest(n.o, cert, ['file', 'sds', 'acm'], 'certificate');
  r.rest(n.o, trust, ['file', 'sds'], 'trust');
  const out: [string, string][] = [];
  const take = (key: string, path: FieldPath) => {
    const v = r.ledger.take<string>(n.o, path);
    if (v !== undefined) out.push([key, v]);
  };
  if (r.ledger.peek(n.o, [...cert, 'sds']) !== undefined) {
    out.push(['appmesh.tls.certificate', 'sds']);
    take('appmesh.tls.sdsSecretName', [...cert, 'sds', 'secretName']);
    r.rest(n.o, [...cert, 'sds'], ['secretName'], 'sds');
    const t = r.ledger.take<string>(n.o, [...trust, 'sds', 'secretName']);
    r.rest(n.o, [...trust, 'sds'], ['secretName'], 'sds trust');
    const trustDefault = r.ctx.options['appmesh.tls.sdsTrustSecretName'] ?? DEFAULT_SDS_TRUST;
    if (t !== undefined && t !== fill(trustDefault, { trustDomain: r.ctx.trustDomain }))
      out.push(['appmesh.tls.sdsTrustSecretName', t]);
  } else if (r.ledger.peek(n.o, [...cert, 'file']) !== undefined) {
    out.push(['appmesh.tls.certificate', 'file']);
    r.rest(n.o, [...cert, 'file'], ['certificateChain', 'privateKey'], 'file');
    take('appmesh.tls.certificateChain', [...cert, 'file', 'certificateChain']);
    take('appmesh.tls.privateKey', [...cert, 'file', 'privateKey']);
    r.rest(n.o, [...trust, 'file'], ['certificateChain'], 'file trust');
    take('appmesh.tls.trustChain', [...trust, 'file', 'certificateChain']);
  } else if (r.ledger.peek(n.o, [...cert, 'acm']) !== undefined) {
    r.cloud(
      n.o,
      [...cert, 'acm'],
      'an ACM certificate',
      'AWS Certificate Manager issues it, and it authenticates only the server (one-way TLS); the target mesh issues its own workload certificates',
    );
  }
  if (r.ledger.peek(n.o, trust) === undefined && r.ledger.peek(n.o, [...cert, 'acm']) === undefined)
    r.changed(
      n.o,
      [...TLS, 'certificate'],
      'the listener checks no client certificate (no validation.trust), so this is one-way TLS; a neutral MTLSPolicy is mutual TLS',
    );
  return out;
}

/** The callers the listener admits, as `namespace/serviceAccount`. */
function readSans(n: NodeInfo, r: AppMeshReader): string[] {
  const at = [...TLS, 'validation', 'subjectAlternativeNames'];
  r.rest(n.o, [...TLS, 'validation'], ['trust', 'subjectAlternativeNames'], 'validation');
  r.rest(n.o, at, ['match'], 'subjectAlternativeNames');
  r.rest(n.o, [...at, 'match'], ['exact'], 'subjectAlternativeNames match');
  const mode = r.ledger.peek<string>(n.o, [...TLS, 'mode']);
  const spiffe = callerPattern(r);
  const out: string[] = [];
  (r.ledger.peek<string[]>(n.o, [...at, 'match', 'exact']) ?? []).forEach((san, i) => {
    const p = [...at, 'match', 'exact', i];
    const m = spiffe.exec(san);
    if (mode !== 'STRICT')
      r.lost(
        n.o,
        p,
        'a caller list on a PERMISSIVE listener checks only callers that use TLS; a neutral allow-list refuses every other caller, which would be stricter',
      );
    else if (!m)
      r.lost(
        n.o,
        p,
        `${san} is not a caller identity of the form ${spiffeTemplate(r)}, so it names no caller a neutral AccessPolicy can (set --trust-domain, or --option appmesh.spiffeId=<pattern>, if yours differ)`,
      );
    else {
      r.ledger.take(n.o, p);
      out.push(`${m.groups!.namespace}/${m.groups!.serviceAccount}`);
    }
  });
  return out;
}

/** The caller SAN pattern: appmesh.spiffeId as the App Mesh adapter uses it (options.ts). */
function spiffeTemplate(r: AppMeshReader): string {
  return r.ctx.options['appmesh.spiffeId'] ?? DEFAULT_SPIFFE_ID;
}

const literal = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A SAN pattern from the template: the trust domain literal, namespace and account captured. */
function callerPattern(r: AppMeshReader): RegExp {
  const source = spiffeTemplate(r)
    .split(/(\{\w+\})/)
    .map((p) =>
      p === '{trustDomain}'
        ? literal(r.ctx.trustDomain)
        : p === '{namespace}'
          ? '(?<namespace>[a-z0-9]([-a-z0-9]*[a-z0-9])?)'
          : p === '{serviceAccount}'
            ? '(?<serviceAccount>[a-z0-9]([-.a-z0-9]*[a-z0-9])?)'
            : literal(p),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** One annotation value for every node: the same literal, or a `{version}` template. */
function template(values: ReadonlyMap<NodeInfo, string>, s: ServiceIR): string | undefined {
  const distinct = new Set(values.values());
  if (distinct.size === 1) return [...distinct][0];
  const templated = new Set(
    [...values].map(([n, v]) => {
      const version = s.versions.get(n);
      return version === undefined ? v : v.split(`${s.service}-${version}`).join(`${s.service}-{version}`);
    }),
  );
  return templated.size === 1 ? [...templated][0] : undefined;
}

export type { Obj };
