/**
 * Services around the routes: the parent Service a route governs, and the leaf Services its
 * backendRefs name per version (`reviews-v2` selecting the service's pods plus `version: v2`, the
 * pattern of Linkerd's traffic-shifting docs, of Istio's Gateway API samples (bookinfo
 * `reviews-v1`) and of anymesh's own output, kit/leaf-services.ts).
 *
 * A backendRef is a version when it names `<service>-<v>` in the parent's namespace, on the
 * parent's port, and that Service is in the input with a selector that narrows the service's: the
 * service's labels are the parent Service's selector when it is given, else `app: <service>` when
 * every leaf has it, else the labels every leaf of the service shares (for a single leaf, its `app`
 * label). Anything else is a plain
 * service backend (lossless: a neutral backend can name any Service), and its Service is left as
 * it is.
 */
import type { NativeObject } from '../../core/import.js';
import { takeMetadata } from './import-kit.js';
import type { Parent, RuleIR } from './import-route-rule.js';
import type { NativeReader, Obj } from './native-reader.js';

/** Service fields the API server fills in or that keep their default; reading them back changes nothing. */
const SERVICE_DEFAULTS: Record<string, (v: unknown) => boolean> = {
  type: (v) => v === 'ClusterIP',
  clusterIP: () => true,
  clusterIPs: () => true,
  ipFamilies: () => true,
  ipFamilyPolicy: () => true,
  internalTrafficPolicy: (v) => v === 'Cluster',
  sessionAffinity: (v) => v === 'None',
};

/** The labels of a service, and of each of its versions beyond them. */
export interface VersionSplit {
  readonly service: Record<string, string>;
  readonly versions: Map<string, Record<string, string>>;
}

/** A rule's backends (and mirror) naming a version's leaf Service, as that version. */
export function withVersions(rule: Obj, ir: RuleIR, parent: Parent, split: VersionSplit | undefined): Obj {
  if (!split) return rule;
  for (const c of ir.leafCandidates) {
    const version = c.name.slice(parent.service.length + 1);
    if (!split.versions.has(version)) continue;
    if (c.at === 'mirror') {
      const m = rule.mirror as Obj | undefined;
      if (m) m.backend = { version };
    } else if (rule.backends) {
      const b = (rule.backends as Obj[])[c.at]!;
      (rule.backends as Obj[])[c.at] = { version, ...(b.weight !== undefined ? { weight: b.weight } : {}) };
    }
  }
  return rule;
}

export class ServiceIndex {
  private readonly services = new Map<string, NativeObject>();
  /** Leaf Services taken as versions (their fields are accounted for once). */
  readonly leaves = new Set<NativeObject>();
  /** Parent Services whose selector or annotations were read. */
  readonly parents = new Set<NativeObject>();

  constructor(objects: readonly NativeObject[]) {
    for (const o of objects)
      if (o.object.apiVersion === 'v1' && o.object.kind === 'Service')
        this.services.set(`${o.namespace}/${o.object.metadata.name}`, o);
  }

  get(namespace: string, name: string): NativeObject | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  all(): NativeObject[] {
    return [...this.services.values()];
  }

  selectorOf(o: NativeObject): Record<string, string> {
    return ((o.object.spec as Obj | undefined)?.selector as Record<string, string> | undefined) ?? {};
  }

  /**
   * The service's own labels and each leaf's version labels, for the leaves `names` of `service`;
   * undefined when some leaf does not narrow the service's selector (then they are plain backends).
   */
  versionsOf(namespace: string, service: string, names: readonly string[]): VersionSplit | undefined {
    const leaves = names.map((n) => this.get(namespace, n)!);
    const parent = this.get(namespace, service);
    const sels = leaves.map((l) => this.selectorOf(l));
    let own: Record<string, string>;
    if (parent && Object.keys(this.selectorOf(parent)).length) own = this.selectorOf(parent);
    else if (sels.every((s) => s.app === service)) own = { app: service };
    else if (sels.length > 1)
      own = Object.fromEntries(
        Object.entries(sels[0] ?? {}).filter(([k, v]) => sels.every((s) => s[k] === v)),
      );
    // One leaf and nothing else to compare with: its `app` label is the service's, as in anymesh's
    // own leaves and Kubernetes' recommended labels.
    else own = sels[0]?.app !== undefined ? { app: sels[0].app } : {};
    if (!Object.keys(own).length) return undefined;
    const versions = new Map<string, Record<string, string>>();
    for (const [i, s] of sels.entries()) {
      if (!Object.entries(own).every(([k, v]) => s[k] === v)) return undefined;
      const rest = Object.fromEntries(Object.entries(s).filter(([k]) => own[k] === undefined));
      if (!Object.keys(rest).length) return undefined;
      versions.set(names[i]!.slice(service.length + 1), rest);
    }
    return { service: own, versions };
  }

  /**
   * The versions of a policy's rules: the leaf candidates of `rules` whose Services are in the
   * input, as versions of the parent when they all narrow its selector (versionsOf).
   */
  splitOf(parent: Parent, rules: readonly RuleIR[]): { split?: VersionSplit; leafNames: string[] } {
    const candidates = rules.flatMap((ir) => ir.leafCandidates);
    const leafNames = [...new Set(candidates.map((c) => c.name))].filter((n) =>
      this.get(parent.namespace, n),
    );
    const split = leafNames.length ? this.versionsOf(parent.namespace, parent.service, leafNames) : undefined;
    return split ? { split, leafNames } : { leafNames: [] };
  }

  /**
   * Accounts for a leaf Service's fields: a port forwarded to itself is what anymesh writes, with
   * the appProtocol the policy's protocol implies (`appProtocol`: HTTP/2 cleartext for gRPC and
   * HTTP/2).
   */
  takeLeaf(
    o: NativeObject,
    port: number,
    r: NativeReader,
    appProtocol: string | undefined,
    /** What the mesh reads from a port's name, when the leaf anymesh writes would not say it. */
    nameChanges?: (port: Obj) => string | undefined,
  ): void {
    if (this.leaves.has(o)) return;
    this.leaves.add(o);
    takeMetadata(r.ledger, o);
    const spec = (o.object.spec as Obj | undefined) ?? {};
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'selector' || k === 'ports') continue;
      if (SERVICE_DEFAULTS[k]?.(v)) r.ledger.take(o, ['spec', k]);
      else
        r.lost(
          o,
          ['spec', k],
          `leaf Service field ${k} has no neutral form (the neutral version becomes a plain ClusterIP Service)`,
        );
    }
    r.ledger.take(o, ['spec', 'selector']);
    ((spec.ports as Obj[] | undefined) ?? []).forEach((p, i) => {
      const at = ['spec', 'ports', i];
      r.rest(o, at, ['name', 'port', 'targetPort', 'protocol', 'appProtocol'], 'leaf Service port');
      const renamed = nameChanges?.(p);
      if (renamed) r.changed(o, [...at, 'name'], renamed);
      for (const k of ['name', 'port']) r.ledger.take(o, [...at, k]);
      if (p.appProtocol === undefined) {
        // Nothing declared: nothing to account for.
      } else if (p.appProtocol === appProtocol) r.ledger.take(o, [...at, 'appProtocol']);
      else
        r.lost(
          o,
          [...at, 'appProtocol'],
          `appProtocol ${p.appProtocol}: a neutral version's leaf declares ${appProtocol ?? 'none'} for this policy's protocol`,
        );
      if (p.protocol === undefined || p.protocol === 'TCP') r.ledger.take(o, [...at, 'protocol']);
      else r.lost(o, [...at, 'protocol'], `protocol ${p.protocol}: a neutral version forwards TCP`);
      if (p.targetPort === undefined || p.targetPort === p.port) r.ledger.take(o, [...at, 'targetPort']);
      else
        r.changed(
          o,
          [...at, 'targetPort'],
          `the leaf forwards port ${p.port} to ${p.targetPort}; a neutral version's leaf forwards spec.port (${port}) to the same container port`,
        );
    });
  }

  /** Accounts for a parent Service: it stays as it is (a migration does not rewrite it). */
  takeParent(o: NativeObject, r: NativeReader): void {
    if (this.parents.has(o) || this.leaves.has(o)) return;
    this.parents.add(o);
    takeMetadata(r.ledger, o);
    r.ledger.take(o, ['spec']);
  }
}

/** The appProtocol a leaf Service declares on `port` (read, not taken: takeLeaf accounts for it). */
export function leafPortAppProtocol(o: NativeObject, port: number): string | undefined {
  const ports = ((o.object.spec as Obj | undefined)?.ports as Obj[] | undefined) ?? [];
  const p = ports.find((x) => x.port === port);
  return typeof p?.appProtocol === 'string' ? p.appProtocol : undefined;
}
