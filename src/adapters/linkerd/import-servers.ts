/**
 * Servers (policy.linkerd.io v1beta1 ... v1beta3) as the importer sees them: the service and port
 * they stand for, and their default access policy (https://linkerd.io/2/reference/authorization-policy/:
 * `accessPolicy` defaults to deny; all-authenticated admits meshed callers only, which is strict
 * mTLS; all-unauthenticated admits everyone, the neutral default; the cluster-* and audit values
 * have no neutral form).
 */
import type { NativeObject } from '../../core/import.js';
import { takeMetadata } from '../kit/import-kit.js';
import { isKind, type LinkerdReader, type Obj, POLICY } from './import-reader.js';

export interface ServerIR {
  readonly o: NativeObject;
  readonly service: string;
  /** The pod labels when they are not `app: <service>`. */
  readonly selector?: Record<string, string>;
  /** Every pod of the namespace (a namespace-wide Server, anymesh's strict namespace form). */
  readonly wholeNamespace: boolean;
  readonly port?: number;
  readonly accessPolicy: string;
  /** The neutral policies anymesh compiled it from. */
  readonly sources: readonly { kind: string; namespace: string; name: string }[];
}

export function readServers(objects: readonly NativeObject[], r: LinkerdReader): Map<string, ServerIR> {
  const out = new Map<string, ServerIR>();
  for (const o of objects.filter((x) => isKind(x, POLICY, 'Server'))) {
    const meta = takeMetadata(r.ledger, o);
    r.rest(o, ['spec'], ['podSelector', 'port', 'accessPolicy', 'proxyProtocol'], 'Server');
    const spec = (o.object.spec as Obj | undefined) ?? {};
    const proto = spec.proxyProtocol as string | undefined;
    if (proto === undefined || proto === 'unknown') r.ledger.take(o, ['spec', 'proxyProtocol']);
    else
      r.lost(
        o,
        ['spec', 'proxyProtocol'],
        `proxyProtocol ${proto} tells Linkerd how to read the port's traffic; neutral policies do not declare protocols (Linkerd detects it without)`,
      );
    const port = spec.port;
    let portNumber: number | undefined;
    if (typeof port === 'number') {
      r.ledger.take(o, ['spec', 'port']);
      portNumber = port;
    } else r.lost(o, ['spec', 'port'], `named container port ${port}: neutral policies name ports by number`);
    const accessPolicy = (spec.accessPolicy as string | undefined) ?? 'deny';
    const name = o.object.metadata.name;
    const sel = (spec.podSelector as Obj | undefined) ?? {};
    const labels = sel.matchLabels as Record<string, string> | undefined;
    const exprs = sel.matchExpressions as Obj[] | undefined;
    // anymesh's namespace-wide strict Server leaves out services with Servers of their own (NotIn).
    const own = meta.sources !== undefined;
    const wholeNamespace =
      (!labels || !Object.keys(labels).length) &&
      (!exprs?.length || (own && exprs.every((e) => e.operator === 'NotIn')));
    let service: string;
    let selector: Record<string, string> | undefined;
    if (wholeNamespace) {
      r.ledger.take(o, ['spec', 'podSelector']);
      service =
        portNumber !== undefined && name.endsWith(`-${portNumber}`)
          ? name.slice(0, -`-${portNumber}`.length)
          : name;
    } else {
      if (exprs?.length)
        r.lost(
          o,
          ['spec', 'podSelector', 'matchExpressions'],
          'label expressions have no neutral form (a neutral selector is labels)',
        );
      r.rest(o, ['spec', 'podSelector'], ['matchLabels', 'matchExpressions'], 'podSelector');
      r.ledger.take(o, ['spec', 'podSelector', 'matchLabels']);
      const fromName =
        portNumber !== undefined && name.endsWith(`-${portNumber}`)
          ? name.slice(0, -`-${portNumber}`.length)
          : undefined;
      // anymesh names Servers <service>-<port>; a hand-written one names its service by `app`.
      service =
        (own ? fromName : undefined) ?? labels?.app ?? labels?.['app.kubernetes.io/name'] ?? fromName ?? name;
      const l = labels ?? {};
      selector = Object.keys(l).length === 1 && l.app === service ? undefined : l;
    }
    out.set(`${o.namespace}/${name}`, {
      o,
      service,
      ...(selector ? { selector } : {}),
      wholeNamespace,
      ...(portNumber !== undefined ? { port: portNumber } : {}),
      accessPolicy,
      sources: meta.sources ?? [],
    });
  }
  return out;
}
