/**
 * The router's routes (ordered by priority) -> neutral rules: the routes anymesh made from one
 * rule's match entries (`<rule>-<i>`, same action) joined back, and weighted targets -> backends
 * (versions, or another service's node), relative weights rescaled to percentages.
 */
import { makeDiagnostic } from '../../core/diagnostics.js';
import type { NativeObject } from '../../core/import.js';
import { isDnsLabel, splitRouteName } from '../kit/import-kit.js';
import { type NodeInfo, nodeKey } from './import-nodes.js';
import { type AppMeshReader, neutral, type Obj } from './import-reader.js';
import type { RouteIR } from './import-route.js';
import type { ServiceIR } from './import-versions.js';
import { APPMESH_MESSAGES } from './messages.js';

export function buildRules(
  routes: readonly RouteIR[],
  ir: ServiceIR,
  router: NativeObject,
  nodes: ReadonlyMap<string, NodeInfo>,
  policies: readonly string[],
  r: AppMeshReader,
): Obj[] {
  const rules: Obj[] = [];
  for (let i = 0; i < routes.length; ) {
    const first = routes[i]!;
    // anymesh's `<rule>-0`, `<rule>-1`, ...: one rule's match entries.
    const base = first.name?.match(/^(.+)-0$/)?.[1];
    let n = 1;
    if (base !== undefined)
      while (routes[i + n]?.name === `${base}-${n}` && routes[i + n]!.signature === first.signature) n++;
    const group = n > 1 ? routes.slice(i, i + n) : [first];
    const rule: Obj = {};
    const name = n > 1 ? base! : first.name;
    const index = rules.length;
    if (name !== undefined && name !== `rule-${index}`) {
      const split = splitRouteName(name, policies);
      const plain = split?.rule ?? name;
      if (isDnsLabel(plain)) rule.name = plain;
      else
        r.ledger.report(router, ['spec', 'routes', first.index, 'name'], (at) =>
          makeDiagnostic(APPMESH_MESSAGES.ImportRuleRenamed, { name, rule: `rule-${index}` }, at),
        );
    }
    if (n > 1) rule.matches = group.map((x) => x.match ?? {});
    else if (first.match) rule.matches = [first.match];
    const backends = backendsOf(first, ir, router, nodes, r);
    if (backends) rule.backends = backends;
    // The other routes of the group have the same targets (their signature says so): one rule.
    for (const x of group.slice(1))
      for (const t of x.targets)
        for (const f of ['virtualNodeRef', 'weight', 'port']) r.ledger.take(router, [...t.path, f]);
    if (first.timeoutMs !== undefined) rule.timeout = neutral(first.timeoutMs);
    if (first.retries) rule.retries = first.retries;
    rules.push(rule);
    i += n;
  }
  return rules;
}

function backendsOf(
  route: RouteIR,
  ir: ServiceIR,
  router: NativeObject,
  nodes: ReadonlyMap<string, NodeInfo>,
  r: AppMeshReader,
): Obj[] | undefined {
  const out: Obj[] = [];
  const byKey = new Map(ir.nodes.map((n) => [nodeKey(n.namespace, n.name), n]));
  // A target of weight 0 beside others gets no request (a version parked for the next shift):
  // leaving it out changes nothing. anymesh's own output keeps it, as the policy said it.
  const parked = (t: RouteIR['targets'][number]) =>
    t.weight === 0 && !ir.meta.sources?.length && route.targets.some((x) => x.weight > 0);
  for (const t of route.targets.filter(parked))
    for (const f of ['virtualNodeRef', 'weight', 'port']) r.ledger.take(router, [...t.path, f]);
  const targets = route.targets.filter((t) => !parked(t));
  for (const t of targets) {
    const own = byKey.get(nodeKey(t.namespace, t.node));
    const b: Obj = {};
    if (own && ir.versions.size && !ir.versions.has(own)) {
      r.lost(router, t.path, `VirtualNode ${own.name} is no version of ${ir.service} (see its podSelector)`);
      continue;
    }
    if (own) {
      const version = ir.versions.get(own);
      if (version !== undefined) b.version = version;
      if (t.port !== undefined) {
        if (t.port === ir.port) r.ledger.take(router, [...t.path, 'port']);
        else
          r.lost(
            router,
            [...t.path, 'port'],
            `port ${t.port} of the service's own pods differs from the service port ${ir.port}`,
          );
      }
    } else {
      if (!nodes.has(nodeKey(t.namespace, t.node)) && !(ir.meta.sources ?? []).length)
        r.changed(
          router,
          [...t.path, 'virtualNodeRef'],
          `VirtualNode ${t.namespace}/${t.node} is not in the input; imported as a call to Service ${t.node}, the service anymesh names such a node after`,
        );
      b.service = t.node;
      if (t.namespace !== ir.namespace) b.namespace = t.namespace;
      if (t.port !== undefined) {
        r.ledger.take(router, [...t.path, 'port']);
        b.port = t.port;
      }
    }
    r.ledger.take(router, [...t.path, 'virtualNodeRef']);
    out.push(b);
  }
  const weights = targets.map((t) => t.weight);
  if (out.length === 1) {
    // A lone target takes every request whatever its weight (weights are relative).
    targets.forEach((t) => r.ledger.take(router, [...t.path, 'weight']));
    return out[0]!.version === undefined && out[0]!.service === undefined ? undefined : out;
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const scaled = sum === 100 ? weights : percentages(weights);
  // Relative weights that scale to whole percentages exactly (1:3 is 25:75) lose nothing.
  const exact = sum > 0 && weights.every((w) => Number.isInteger((w * 100) / sum));
  out.forEach((b, i) => {
    b.weight = scaled[i];
  });
  for (const t of targets) {
    if (exact) r.ledger.take(router, [...t.path, 'weight']);
    else
      r.changed(
        router,
        [...t.path, 'weight'],
        sum === 0
          ? 'every weight is 0, so App Mesh sends nothing; neutral weights sum to 100 and are split evenly'
          : `App Mesh weights are relative (these sum to ${sum}); neutral weights are percentages, so they are rescaled (rounded to whole percent)`,
      );
  }
  return out;
}

/** Relative weights as whole percentages summing to 100 (largest remainder). */
function percentages(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (sum ? (w * 100) / sum : 100 / weights.length));
  const out = raw.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}
