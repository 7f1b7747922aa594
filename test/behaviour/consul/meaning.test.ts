// The Consul behavioural tier: a real Consul 1.16.3 agent is the judge of what every golden Consul
// case means. Each case's instances are registered as consul-k8s would register its pods, its config
// entries written as `anymesh compile --mesh consul --consul-format config-entry` prints them, and
// then Consul's own compiled discovery chain (routes, matches, timeouts, retries, header changes,
// splits and the instances each subset's filter selects) and its intention decisions are compared
// with what the policy says, written by hand in expectations.ts. Schema checks and "Consul accepted
// the write" (test/integration/consul-agent.test.ts) cannot see a reversed weight or an inverted
// filter; this can (mutations.test.ts shows it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfigEntries } from '../../../src/adapters/consul/config-entry.js';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import { type ConsulAgent, type ConsulEntry, startConsulAgent } from '../../support/consul-agent.js';
import { compileFor } from '../../support/kit.js';
import { chainProtocol } from './chain-meaning.js';
import { compiledConsulCases } from './compiled.js';
import { type CaseMeaning, MEANINGS } from './expectations.js';
import { deployed, observeBalancing, observeIntentions, observeRoutes } from './judge.js';

let agent: ConsulAgent;

beforeAll(async () => {
  agent = await startConsulAgent();
}, 600_000);

afterAll(async () => {
  await agent?.stop();
});

const cases = compiledConsulCases().map((c) => ({ ...c, meaning: MEANINGS[c.name]! }));

describe('Consul 1.16.3 compiles each golden case into what the policy means', () => {
  it('has a hand-written meaning for every golden case that compiles for Consul', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(MEANINGS).sort());
  });

  it.each(cases)('$name: discovery chains (routes, splits, subsets, instances)', async (c) => {
    await deployed(agent, c.meaning, c.entries, async () => {
      for (const service of Object.keys(c.meaning.chains)) {
        // Routers and splitters are only compiled for HTTP-based protocols; a tcp chain would ignore
        // them. A gRPC policy's chain is grpc (HTTP/2 to Envoy).
        expect(await chainProtocol(agent, service), `protocol of ${service}`).toBe(
          c.meaning.protocol ?? 'http',
        );
      }
      for (const o of await observeRoutes(agent, c.meaning)) expect(o.actual, o.what).toEqual(o.expected);
    });
  });

  it.each(cases.filter((c) => c.meaning.balancing))(
    '$name: load balancing and connect timeouts (BackendPolicy)',
    async (c) => {
      await deployed(agent, c.meaning, c.entries, async () => {
        for (const o of await observeBalancing(agent, c.meaning))
          expect(o.actual, o.what).toEqual(o.expected);
      });
    },
  );

  it.each(cases.filter((c) => c.meaning.connections || c.meaning.requests))(
    '$name: intentions allow and deny per caller',
    async (c) => {
      await deployed(agent, c.meaning, c.entries, async () => {
        for (const o of await observeIntentions(agent, c.meaning))
          expect(o.actual, o.what).toEqual(o.expected);
      });
    },
  );

  it.each(cases.filter((c) => c.meaning.annotations))(
    '$name: AM4302 asks for the pod annotations the subset filters select',
    (c) => {
      const advice = c.diagnostics.find((d) => d.code === 'AM4302')?.message ?? '';
      for (const [subset, labels] of Object.entries(c.meaning.annotations!)) {
        for (const [key, value] of Object.entries(labels)) {
          expect(advice).toContain(`${subset}: consul.hashicorp.com/service-meta-${key}: "${value}"`);
        }
      }
    },
  );
});

/** Policy text compiled for Consul, as the `consul config write` entries the agent is given. */
function entriesOf(text: string): ConsulEntry[] {
  const r = compileFor('consul', text);
  expect(r.ok).toBe(true);
  return JSON.parse(renderConfigEntries(r.resources, false, 'json')) as ConsulEntry[];
}

/** The agent's discovery chains for the entries, each route compared with the meaning. */
async function expectRoutes(entries: ConsulEntry[], meaning: CaseMeaning): Promise<void> {
  await deployed(agent, meaning, entries, async () => {
    for (const o of await observeRoutes(agent, meaning)) expect(o.actual, o.what).toEqual(o.expected);
  });
}

describe('beyond the golden cases', () => {
  it('a version label key with a dash selects its instances (Service.Meta["app-version"])', async () => {
    const entries = entriesOf(
      `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  versions:
    blue: {app-version: "1.4", track: main}
    green: {app-version: "1.5", track: main}
  rules:
    - backends: [{version: blue, weight: 70}, {version: green, weight: 30}]
`,
    );
    const meta = (v: string, track = 'main') => ({ 'app-version': v, track });
    const meaning: CaseMeaning = {
      instances: [
        { id: 'cart-blue-0', service: 'cart', meta: meta('1.4') },
        { id: 'cart-green-0', service: 'cart', meta: meta('1.5') },
        { id: 'cart-green-1', service: 'cart', meta: meta('1.5') },
        { id: 'cart-green-side', service: 'cart', meta: meta('1.5', 'side') },
        { id: 'cart-other-0', service: 'cart', meta: meta('1.3') },
      ],
      chains: {
        cart: [
          {
            match: 'any',
            backends: [
              { weight: 70, instances: ['cart-blue-0'] },
              { weight: 30, instances: ['cart-green-0', 'cart-green-1'] },
            ],
          },
        ],
      },
    };
    await expectRoutes(entries, meaning);
  });

  it('a rule whose only match entry is empty ({}) catches every request: the split holds for all of them', async () => {
    // `matches: [{}]` matches everything, as no matches does; the compile writes it as the plain
    // splitter (routing.ts matchesAll), and the agent's chain must send every request 80/20.
    const entries = entriesOf(
      `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  versions:
    v1: {version: v1}
    v2: {version: v2}
  rules:
    - matches: [{}]
      backends: [{version: v1, weight: 80}, {version: v2, weight: 20}]
`,
    );
    const meaning: CaseMeaning = {
      instances: [
        { id: 'cart-v1-0', service: 'cart', meta: { version: 'v1' } },
        { id: 'cart-v2-0', service: 'cart', meta: { version: 'v2' } },
      ],
      chains: {
        cart: [
          {
            match: 'any',
            backends: [
              { weight: 80, instances: ['cart-v1-0'] },
              { weight: 20, instances: ['cart-v2-0'] },
            ],
          },
        ],
      },
    };
    await expectRoutes(entries, meaning);
  });

  it('omitted timeout and retries: the agent sets neither, as the descriptor declares (core/defaults.ts)', async () => {
    // The declaration under test: Consul keeps Envoy's 15 s route timeout (differs from the model's
    // "no time limit") and retries nothing (as the model means).
    expect(consulAdapter.defaults.timeout.differs).toBe('always');
    expect(consulAdapter.defaults.retries.differs).toBe('never');
    const entries = entriesOf(
      `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: cart, namespace: shop}
spec:
  service: cart
  rules:
    - name: slow
      matches: [{path: {prefix: /report}}]
      timeout: 20s
      retries: {attempts: 2, retryOn: [connect-failure]}
    - name: rest
`,
    );
    const meaning: CaseMeaning = {
      instances: [{ id: 'cart-0', service: 'cart' }],
      chains: {
        cart: [
          {
            match: { path: { prefix: '/report' } },
            timeoutMs: 20_000,
            retries: { attempts: 2, on: ['connect-failure'] },
            backends: [{ weight: 100, instances: ['cart-0'] }],
          },
          // No timeoutMs: Consul set no route timeout, so Envoy's default of 15 s applies; no retries.
          { match: 'any', backends: [{ weight: 100, instances: ['cart-0'] }] },
        ],
      },
    };
    await expectRoutes(entries, meaning);
  });
});
