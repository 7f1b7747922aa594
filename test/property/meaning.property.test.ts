/**
 * Random valid TrafficPolicies keep their meaning through every adapter, not only their validity:
 * each rule's targets and weights reappear in the output for its service, and every match entry of
 * the rule is represented there (its path, method, header and query names) leading to those same
 * targets. Each mesh's output is read back into that neutral view by a small reader below, written
 * from the meshes' APIs (VirtualService http[], HTTPRoute rules[], ServiceRouter routes[] with
 * ServiceSplitter splits[], VirtualRouter routes[]), never from the adapters' code.
 *
 * What `--allow-degraded` leaves out (AM3002 on a match entry or a backend, AM3008 for a rule) is
 * not expected back; anything else is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import type { KubeObject, MeshAdapter } from '../../src/core/adapter.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { compileLoaded } from '../../src/core/pipeline.js';
import { load } from '../support/kit.js';
import { policyFile } from './arbitraries.js';
import { runs } from './settings.js';

type Obj = Record<string, unknown>;
type Targets = Record<string, number>;

/** One way into a service: a match entry (or `any`) and where it sends requests. */
interface Leg {
  service: string;
  match: string;
  targets: Targets;
}

const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const names = (list: unknown) =>
  arr(list)
    .map((h) => String(h.name).toLowerCase())
    .sort()
    .join(',');
/** Regexes as the meshes anchor them (`^(?:re)$`) compare as written. */
const unanchor = (re: string) => re.replace(/^\^\(\?:(.*)\)\$$/s, '$1');

/** The neutral key of a match: what the tests below require to survive. */
function key(path: string | undefined, method: string | undefined, headers: string, query: string): string {
  const p = path === 'prefix:/' ? '' : (path ?? '');
  return `path=${p} method=${method ?? ''} headers=${headers} query=${query}`;
}
const ANY = key(undefined, undefined, '', '');

/** Weights as shares of 100 (Gateway API weights are relative; a lone backend gets everything). */
function shares(list: { name: string; weight?: number }[]): Targets {
  const total = list.reduce((n, b) => n + (b.weight ?? (list.length === 1 ? 100 : 1)), 0);
  const out: Targets = {};
  for (const b of list) {
    const w = b.weight ?? (list.length === 1 ? 100 : 1);
    if (w > 0) out[b.name] = Math.round((w * 100) / total);
  }
  return out;
}

const firstLabel = (host: string) => host.split('.')[0]!;

const readers: Record<string, (resources: readonly KubeObject[]) => Leg[]> = {
  istio: (rs) =>
    rs
      .filter((o) => o.kind === 'VirtualService')
      .flatMap((vs) => {
        const spec = vs.spec as Obj;
        const service = firstLabel(String((spec.hosts as string[])[0]));
        return arr(spec.http).flatMap((h) => {
          const targets = shares(
            arr(h.route).map((r) => {
              const d = r.destination as Obj;
              const host = firstLabel(String(d.host));
              return {
                name: d.subset ? `${host}-${d.subset}` : host,
                weight: r.weight as number | undefined,
              };
            }),
          );
          const matches = arr(h.match);
          const keys = matches.length
            ? matches.map((m) => {
                const uri = m.uri as Obj | undefined;
                const [kind, value] = uri ? Object.entries(uri)[0]! : [];
                const method = (m.method as Obj | undefined)?.exact as string | undefined;
                return key(
                  uri ? `${kind}:${kind === 'regex' ? unanchor(String(value)) : value}` : undefined,
                  method,
                  Object.keys((m.headers as Obj) ?? {})
                    .sort()
                    .join(','),
                  Object.keys((m.queryParams as Obj) ?? {})
                    .sort()
                    .join(','),
                );
              })
            : [ANY];
          return keys.map((match) => ({ service, match, targets }));
        });
      }),
  linkerd: (rs) =>
    rs
      .filter((o) => o.kind === 'HTTPRoute' && o.apiVersion.startsWith('gateway.networking.k8s.io'))
      .flatMap((route) => {
        const spec = route.spec as Obj;
        const service = String(arr(spec.parentRefs)[0]!.name);
        return arr(spec.rules).flatMap((rule) => {
          const targets = shares(
            arr(rule.backendRefs).map((b) => ({
              name: String(b.name),
              weight: b.weight as number | undefined,
            })),
          );
          const matches = arr(rule.matches);
          const keys = matches.length
            ? matches.map((m) => {
                const p = m.path as Obj | undefined;
                const kind = { Exact: 'exact', PathPrefix: 'prefix', RegularExpression: 'regex' }[
                  String(p?.type) as 'Exact'
                ];
                return key(
                  p ? `${kind}:${kind === 'regex' ? unanchor(String(p.value)) : p.value}` : undefined,
                  m.method as string | undefined,
                  names(m.headers),
                  names(m.queryParams),
                );
              })
            : [ANY];
          return keys.map((match) => ({ service, match, targets }));
        });
      }),
  consul: (rs) => {
    const splitters = new Map(
      rs
        .filter((o) => o.kind === 'ServiceSplitter')
        .map((o) => [o.metadata.name, arr((o.spec as Obj).splits)]),
    );
    const leg = (d: Obj): Targets => {
      const name = String(d.service);
      const splits = splitters.get(name);
      if (splits)
        return shares(
          splits.map((s) => ({
            name: s.serviceSubset ? `${s.service}-${s.serviceSubset}` : String(s.service),
            weight: s.weight as number,
          })),
        );
      return { [d.serviceSubset ? `${name}-${d.serviceSubset}` : name]: 100 };
    };
    const routed = rs
      .filter((o) => o.kind === 'ServiceRouter')
      .flatMap((router) =>
        arr((router.spec as Obj).routes).map((r) => {
          const http = ((r.match as Obj | undefined)?.http as Obj | undefined) ?? {};
          const path = http.pathExact
            ? `exact:${http.pathExact}`
            : http.pathPrefix
              ? `prefix:${http.pathPrefix}`
              : http.pathRegex
                ? `regex:${unanchor(String(http.pathRegex))}`
                : undefined;
          const methods = http.methods as string[] | undefined;
          return {
            service: router.metadata.name,
            match: key(path, methods?.join(','), names(http.header), names(http.queryParam)),
            targets: leg((r.destination as Obj) ?? { service: router.metadata.name }),
          };
        }),
      );
    // A service without a router whose splitter carries its own name: every request is split.
    const routers = new Set(rs.filter((o) => o.kind === 'ServiceRouter').map((o) => o.metadata.name));
    const direct = [...splitters.keys()]
      .filter((n) => !routers.has(n) && !n.includes('-split-'))
      .map((service) => ({ service, match: ANY, targets: leg({ service }) }));
    return [...routed, ...direct];
  },
  appmesh: (rs) =>
    rs
      .filter((o) => o.kind === 'VirtualRouter')
      .flatMap((router) =>
        arr((router.spec as Obj).routes).map((r) => {
          const http = (r.httpRoute ?? r.http2Route) as Obj;
          const m = (http.match as Obj) ?? {};
          const p = m.path as Obj | undefined;
          const path = p?.exact
            ? `exact:${p.exact}`
            : p?.regex
              ? `regex:${unanchor(String(p.regex))}`
              : m.prefix
                ? `prefix:${m.prefix}`
                : undefined;
          const targets = shares(
            arr((http.action as Obj).weightedTargets).map((t) => ({
              name: String((t.virtualNodeRef as Obj).name),
              weight: t.weight as number,
            })),
          );
          return {
            service: router.metadata.name,
            match: key(path, m.method as string | undefined, names(m.headers), names(m.queryParameters)),
            targets,
          };
        }),
      ),
};

interface Expected {
  what: string;
  leg: Leg;
}

/** What the policy says, rule by rule, less what the compile says it left out. */
function expectedLegs(text: string, diagnostics: readonly Diagnostic[]): Expected[] {
  const dropped = diagnostics
    .filter((d) => d.code === 'AM3002' || d.code === 'AM3008')
    .map((d) => d.path ?? '');
  const out: Expected[] = [];
  for (const p of load([{ name: 'random.yaml', text }], { overlaps: false }).policies) {
    const spec = p.policy.spec as Obj;
    const service = String(spec.service);
    arr(spec.rules).forEach((rule, i) => {
      const at = `spec.rules[${i}]`;
      if (dropped.some((d) => d === at || d.startsWith(`${at}.backends`))) return;
      const targets = shares(
        arr(rule.backends).map((b) => ({
          name: b.version ? `${service}-${b.version}` : String(b.service),
          weight: b.weight as number | undefined,
        })),
      );
      const matches = arr(rule.matches);
      matches.forEach((m, j) => {
        if (dropped.some((d) => d.startsWith(`${at}.matches[${j}]`))) return;
        const path = m.path as Obj | undefined;
        const [kind, value] = path ? Object.entries(path)[0]! : [];
        out.push({
          what: `${p.ref} ${at}.matches[${j}]`,
          leg: {
            service,
            match: key(
              path ? `${kind}:${value}` : undefined,
              m.method as string | undefined,
              names(m.headers),
              names(m.queryParams),
            ),
            targets,
          },
        });
      });
      if (!matches.length) out.push({ what: `${p.ref} ${at}`, leg: { service, match: ANY, targets } });
    });
  }
  return out;
}

describe('random valid TrafficPolicies keep their meaning on every mesh', () => {
  it.each(MESHES.map((m) => [m.id, m] as const))(
    '%s: every rule leads its matches to its targets with its weights',
    (id, adapter: MeshAdapter) => {
      const read = readers[id];
      expect(read, `a reader for ${id}`).toBeDefined();
      let tried = 0;
      let checked = 0;
      fc.assert(
        fc.property(policyFile({ portable: true }), (text) => {
          tried++;
          const r = compileLoaded(load([{ name: 'random.yaml', text }]), adapter, { allowDegraded: true });
          if (!r.ok) return;
          const legs = read!(r.resources);
          const expected = expectedLegs(text, r.diagnostics);
          if (expected.length) checked++;
          for (const e of expected) {
            const found = legs.some(
              (l) =>
                l.service === e.leg.service &&
                l.match === e.leg.match &&
                equalTargets(l.targets, e.leg.targets),
            );
            expect(
              found,
              `${e.what}: ${JSON.stringify(e.leg)} not in\n${JSON.stringify(legs, null, 1)}\n${text}`,
            ).toBe(true);
          }
        }),
        runs(100),
      );
      expect(tried).toBe(100);
      // Not vacuous: most random inputs compile and have rules to look for.
      expect(checked, `${id}: ${checked} of ${tried} inputs had rules checked`).toBeGreaterThanOrEqual(
        tried / 5,
      );
    },
  );
});

// A fixed policy and two wrong readings of it: the comparison must notice each (it can fail).
const SAMPLE = (w1: number, w2: number, prefix = '/api') => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  port: 80
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
    - name: a
      matches:
        - path: {prefix: ${prefix}}
          method: GET
        - headers: [{name: x-user, exact: bob}]
          queryParams: [{name: q, exact: "1"}]
      backends: [{version: v1, weight: ${w1}}, {service: ratings, port: 80, weight: ${w2}}]
    - name: b
      backends: [{version: v2}]
`;

describe('the meaning check can fail', () => {
  it.each(MESHES.map((m) => [m.id, m] as const))(
    '%s: reversed weights or another path are not found in the output',
    (id, adapter: MeshAdapter) => {
      const r = compileLoaded(load([{ name: 'sample.yaml', text: SAMPLE(30, 70) }]), adapter, {
        allowDegraded: true,
      });
      expect(r.ok).toBe(true);
      const legs = readers[id]!(r.resources);
      const missing = (text: string) =>
        expectedLegs(text, r.diagnostics).filter(
          (e) =>
            !legs.some(
              (l) =>
                l.service === e.leg.service &&
                l.match === e.leg.match &&
                equalTargets(l.targets, e.leg.targets),
            ),
        ).length;
      expect(missing(SAMPLE(30, 70))).toBe(0);
      expect(missing(SAMPLE(70, 30))).toBe(2);
      expect(missing(SAMPLE(30, 70, '/apx'))).toBe(1);
    },
  );
});

function equalTargets(a: Targets, b: Targets): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.join() === kb.join() && ka.every((k) => a[k] === b[k]);
}
