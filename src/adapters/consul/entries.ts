/**
 * The Consul config entries a compile produces, as consul-k8s CRDs, gathered in one place so that:
 * - one Consul config entry comes from one CRD (ServiceDefaults for `reviews` is shared by routing,
 *   mTLS and access policies and built once, with every source policy in its annotation);
 * - on Consul Community Edition, where every Kubernetes namespace maps to the one Consul namespace,
 *   two CRDs for the same entry from different Kubernetes namespaces are reported (AM4304) instead
 *   of letting the consul-k8s controller refuse the second at apply time ("config entry already
 *   exists", consul-k8s@v2.0.3 control-plane/controllers/configentries/configentry_controller.go).
 */
import { type KubeObject, outputMetadata } from '../../core/adapter.js';
import { type Diagnostic, type DiagnosticContext, makeDiagnostic } from '../../core/diagnostics.js';
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import { consulMessages } from './messages.js';
import type { ConsulOptions } from './options.js';

export const API_VERSION = 'consul.hashicorp.com/v1alpha1';

export type Obj = Record<string, unknown>;

interface Owner {
  readonly doc: PolicyDoc;
  readonly at: DiagnosticContext;
  readonly namespace: string;
}

interface Entry {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly spec: Obj;
  readonly sources: PolicyDoc[];
}

/**
 * The HTTP-based ServiceDefaults protocols (https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults:
 * protocol tcp, http, http2 or grpc), ranked: the more specific one wins when modules disagree.
 */
export type ConsulHttpProtocol = 'http' | 'http2' | 'grpc';
const HTTP_PROTOCOL_RANK: Record<ConsulHttpProtocol, number> = { http: 0, http2: 1, grpc: 2 };

export class EntrySet {
  readonly diagnostics: Diagnostic[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly owners = new Map<string, Owner>();

  constructor(readonly options: ConsulOptions) {}

  /**
   * The Consul identity of an entry: kind and name, plus the namespace on Enterprise. Mesh-wide kinds
   * (Mesh, ProxyDefaults) have one identity whatever the namespace.
   */
  private key(kind: string, name: string, namespace: string, global: boolean): string {
    return global || !this.options.enterprise ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
  }

  /**
   * The spec of the entry `kind/name` in `namespace`, created empty on first use. Returns undefined
   * (and reports AM4304 once) when the same Consul entry is already claimed from another Kubernetes
   * namespace on Community Edition.
   */
  claim(
    kind: string,
    name: string,
    namespace: string,
    doc: PolicyDoc,
    at: DiagnosticContext,
    global = false,
  ): Obj | undefined {
    const key = this.key(kind, name, namespace, global);
    const owner = this.owners.get(key);
    if (owner && owner.namespace !== namespace) {
      const where = owner.at.location;
      this.diagnostics.push(
        makeDiagnostic(
          consulMessages.NamespaceCollision,
          {
            kind,
            name,
            ref: doc.ref,
            other: owner.doc.ref,
            otherNamespace: owner.namespace,
            where: where ? `${where.file}:${where.line}:${where.col}` : 'position unknown',
          },
          at,
        ),
      );
      return undefined;
    }
    if (!owner) this.owners.set(key, { doc, at, namespace });
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { kind, name, namespace, spec: {}, sources: [] };
      this.entries.set(key, entry);
    }
    if (!entry.sources.includes(doc)) entry.sources.push(doc);
    return entry.spec;
  }

  /**
   * ServiceDefaults with an HTTP-based protocol, needed by every router, splitter, subset and L7
   * intention: http, or http2 or grpc when a policy of that protocol asks for it (both are
   * HTTP-based for Consul, so they win over another module's http, whichever writes first; two
   * policies of one port never differ in protocol, AM3020).
   */
  httpService(
    name: string,
    namespace: string,
    doc: PolicyDoc,
    at: DiagnosticContext,
    protocol: ConsulHttpProtocol = 'http',
  ): boolean {
    const spec = this.claim('ServiceDefaults', name, namespace, doc, at);
    if (!spec) return false;
    const prior = HTTP_PROTOCOL_RANK[spec.protocol as ConsulHttpProtocol] as number | undefined;
    if (prior === undefined || HTTP_PROTOCOL_RANK[protocol] > prior) spec.protocol = protocol;
    return true;
  }

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  resources(): KubeObject[] {
    return [...this.entries.values()].map((e) => ({
      apiVersion: API_VERSION,
      kind: e.kind,
      metadata: outputMetadata(e.name, e.namespace, e.sources),
      spec: orderSpec(e.kind, e.spec),
    }));
  }
}

/** Field order of each kind as in the CRD schema, so output does not depend on which module wrote first. */
const FIELD_ORDER: Record<string, readonly string[]> = {
  ServiceDefaults: ['protocol', 'mutualTLSMode'],
  ProxyDefaults: ['mutualTLSMode'],
};

function orderSpec(kind: string, spec: Obj): Obj {
  const order = FIELD_ORDER[kind];
  if (!order) return spec;
  const out: Obj = {};
  for (const k of order) if (spec[k] !== undefined) out[k] = spec[k];
  for (const [k, v] of Object.entries(spec)) if (!(k in out)) out[k] = v;
  return out;
}
