// The behavioural tier can fail: each mutation below is a plausible adapter bug whose output Consul
// still accepts (every entry is written with status 200), and which the schema tests and the
// integration tier's write-and-read-back therefore pass. Judged against the same hand-written
// meaning as meaning.test.ts, each one must change what Consul does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsulAgent, type ConsulEntry, startConsulAgent } from '../../support/consul-agent.js';
import { compiledConsulCases } from './compiled.js';
import { MEANINGS } from './expectations.js';
import { deployed, failing, observeBalancing, observeIntentions, observeRoutes } from './judge.js';

type Obj = Record<string, unknown>;

let agent: ConsulAgent;

beforeAll(async () => {
  agent = await startConsulAgent();
}, 600_000);

afterAll(async () => {
  await agent?.stop();
});

const cases = new Map(compiledConsulCases().map((c) => [c.name, c]));

/** A deep copy of the case's entries with `fn` applied to the one entry of that kind and name. */
function mutate(name: string, kind: string, entry: string, fn: (e: Obj) => void): ConsulEntry[] {
  const c = cases.get(name);
  if (!c) throw new Error(`no compiled case ${name}`);
  const entries = structuredClone(c.entries);
  const target = entries.find((e) => e.Kind === kind && e.Name === entry);
  if (!target) throw new Error(`${name} has no ${kind} ${entry}`);
  fn(target);
  return entries;
}

const at = (o: unknown, ...path: (string | number)[]): Obj =>
  path.reduce<unknown>((x, k) => (x as Obj)[k as string], o) as Obj;

/** Each mutation, and the observations of judge.ts it must break (and no others). */
const MUTATIONS: { what: string; name: string; breaks: string[]; entries: () => ConsulEntry[] }[] = [
  {
    what: 'the prefix rewrite dropped (the orders service gets /api/v2/... unchanged)',
    name: 'case-rewrite-prefix',
    breaks: ['routes of orders'],
    entries: () =>
      mutate('case-rewrite-prefix', 'service-router', 'orders', (e) => {
        delete at(e, 'Routes', 0, 'Destination').PrefixRewrite;
      }),
  },
  {
    what: 'the gRPC method match widened to its whole service (AddItem path -> /shop.Cart/ prefix)',
    name: 'case-grpc-routing',
    breaks: ['routes of cart'],
    entries: () =>
      mutate('case-grpc-routing', 'service-router', 'cart', (e) => {
        const http = at(e, 'Routes', 0, 'Match', 'HTTP');
        delete http.PathExact;
        http.PathPrefix = '/shop.Cart/';
      }),
  },
  {
    what: 'the load-balancing policy dropped (callers fall back to round robin)',
    name: 'case-backend-resilience',
    breaks: ['balancing of reviews'],
    entries: () =>
      mutate('case-backend-resilience', 'service-resolver', 'reviews', (e) => {
        delete e.LoadBalancer;
      }),
  },
  {
    what: 'the session cookie hashed as a header of the same name',
    name: 'case-backend-session-affinity',
    breaks: ['balancing of cart'],
    entries: () =>
      mutate('case-backend-session-affinity', 'service-resolver', 'cart', (e) => {
        const h = at(e, 'LoadBalancer', 'HashPolicies', 0);
        h.Field = 'header';
        delete h.CookieConfig;
      }),
  },
  {
    what: 'splitter weights reversed (90/10 becomes 10/90)',
    name: 'example-bookinfo-canary',
    breaks: ['routes of reviews'],
    entries: () =>
      mutate('example-bookinfo-canary', 'service-splitter', 'reviews-split-everyone', (e) => {
        const splits = e.Splits as Obj[];
        const [a, b] = [splits[0]!.Weight, splits[1]!.Weight];
        splits[0]!.Weight = b;
        splits[1]!.Weight = a;
      }),
  },
  {
    what: 'the plain canary split header dropped from one leg',
    name: 'case-consul-canary',
    breaks: ['routes of ratings'],
    entries: () =>
      mutate('case-consul-canary', 'service-splitter', 'ratings', (e) => {
        delete at(e, 'Splits', 1).RequestHeaders;
      }),
  },
  {
    what: "the default route timeout dropped (no route timeout: Envoy's default applies)",
    name: 'case-consul-l7-routing',
    breaks: ['routes of storefront'],
    entries: () =>
      mutate('case-consul-l7-routing', 'service-router', 'storefront', (e) => {
        const routes = e.Routes as Obj[];
        delete at(routes, routes.length - 1, 'Destination').RequestTimeout;
      }),
  },
  {
    what: 'the checkout route timeout dropped',
    name: 'case-consul-l7-routing',
    breaks: ['routes of storefront'],
    entries: () =>
      mutate('case-consul-l7-routing', 'service-router', 'storefront', (e) => {
        delete at(e, 'Routes', 2, 'Destination').RequestTimeout;
      }),
  },
  {
    what: 'the stable subset filter inverted (== becomes !=)',
    name: 'case-consul-l7-routing',
    breaks: ['routes of storefront'],
    entries: () =>
      mutate('case-consul-l7-routing', 'service-resolver', 'storefront', (e) => {
        const stable = at(e, 'Subsets', 'stable');
        stable.Filter = String(stable.Filter).replace(' == ', ' != ');
      }),
  },
  {
    what: 'retry conditions dropped (numRetries alone retries nothing)',
    name: 'case-consul-l7-routing',
    breaks: ['routes of storefront'],
    entries: () =>
      mutate('case-consul-l7-routing', 'service-router', 'storefront', (e) => {
        const d = at(e, 'Routes', 5, 'Destination');
        delete d.RetryOn;
        delete d.RetryOnConnectFailure;
      }),
  },
  {
    what: 'routes reordered (the catch-all first shadows every rule)',
    name: 'example-bookinfo-canary',
    breaks: ['routes of reviews'],
    entries: () =>
      mutate('example-bookinfo-canary', 'service-router', 'reviews', (e) => {
        (e.Routes as Obj[]).reverse();
      }),
  },
  {
    what: 'the closing deny of an allow list dropped (unlisted requests fall to the default allow)',
    name: 'case-consul-intentions',
    breaks: [
      'checkout -> payments POST /v1/refunds',
      'checkout -> payments POST /v1/other',
      'checkout -> payments DELETE /v1/charges',
      'checkout -> payments PUT /v1/charges',
      'checkout -> payments POST /v1/disputes',
    ],
    entries: () =>
      mutate('case-consul-intentions', 'service-intentions', 'payments', (e) => {
        const checkout = (e.Sources as Obj[]).find((s) => s.Name === 'checkout')!;
        (checkout.Permissions as Obj[]).pop();
      }),
  },
  {
    what: 'the header condition of an allow permission dropped (disputes without a review allowed)',
    name: 'case-consul-intentions',
    breaks: ['checkout -> payments POST /v1/disputes'],
    entries: () =>
      mutate('case-consul-intentions', 'service-intentions', 'payments', (e) => {
        const checkout = (e.Sources as Obj[]).find((s) => s.Name === 'checkout')!;
        for (const p of checkout.Permissions as { HTTP?: Obj }[]) delete p.HTTP?.Header;
      }),
  },
  {
    what: 'a regular expression header condition widened to a prefix (longer ticket ids allowed)',
    name: 'case-consul-intentions',
    breaks: ['auditor -> ledger GET /entries {"x-audit-ticket":"AUD-1234567"}'],
    entries: () =>
      mutate('case-consul-intentions', 'service-intentions', 'ledger', (e) => {
        const auditor = (e.Sources as Obj[]).find((s) => s.Name === 'auditor')!;
        for (const p of auditor.Permissions as { HTTP?: { Header?: Obj[] } }[])
          for (const h of p.HTTP?.Header ?? []) h.Regex = `${h.Regex}.*`;
      }),
  },
  {
    what: 'the wildcard deny source dropped (allow list no longer exclusive)',
    name: 'case-appmesh-zero-trust',
    breaks: [
      'intentions/check web -> payments',
      'intentions/check payments -> payments',
      'web -> payments GET /',
    ],
    entries: () =>
      mutate('case-appmesh-zero-trust', 'service-intentions', 'payments', (e) => {
        e.Sources = (e.Sources as Obj[]).filter((s) => s.Name !== '*');
      }),
  },
];

describe('a wrong Consul output is accepted by Consul but fails the behavioural judge', () => {
  it.each(MUTATIONS)('$name: $what', async ({ name, entries, breaks }) => {
    const meaning = MEANINGS[name]!;
    const mutated = entries();
    // deployed() writes every entry and throws if Consul refuses one: these are all accepted.
    const failed = await deployed(agent, meaning, mutated, async () =>
      failing([
        ...(await observeRoutes(agent, meaning)),
        ...(await observeBalancing(agent, meaning)),
        ...(await observeIntentions(agent, meaning)),
      ]),
    );
    expect(failed.map((f) => f.what)).toEqual(breaks);
  });

  it('the unmutated outputs pass the same judge', async () => {
    for (const [name, c] of cases) {
      const meaning = MEANINGS[name]!;
      const failed = await deployed(agent, meaning, c.entries, async () =>
        failing([
          ...(await observeRoutes(agent, meaning)),
          ...(await observeBalancing(agent, meaning)),
          ...(await observeIntentions(agent, meaning)),
        ]),
      );
      expect(failed, name).toEqual([]);
    }
  });
});
