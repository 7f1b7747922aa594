/**
 * The behaviour tests can fail: wrong edits to a compiled output (weights swapped, a match dropped,
 * a subset inverted, an authorization path widened) run through Istio make the same hand-written
 * expectations fail. Each mutation must change the output, or the proof would prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { bookinfo } from './expectations.js';
import { runCase } from './harness.js';
import { allowed, arrival, pod, result } from './world.js';

function mutation(from: string | RegExp, to: string) {
  return (output: string) => {
    const changed = output.replace(from, to);
    expect(changed, `the mutation ${String(from)} applies`).not.toBe(output);
    return changed;
  };
}

const ROUTING_MUTATIONS: Record<string, (o: string) => string> = {
  'weights swapped': (o) => mutation(/weight: 90([\s\S]*?)weight: 10/, 'weight: 10$1weight: 90')(o),
  'the tester header match dropped': mutation(
    /- headers:\n\s+end-user:\n\s+exact: jason\n(\s+)port: 9080/,
    '- port: 9080',
  ),
  'the testers subset inverted': mutation(/(name: reviews-canary\.testers[\s\S]*?subset: )v2/, '$1v1'),
  'the rules swapped (match order)': (o) => {
    const [head, testers, everyone] = o.split(/(?=\n {4}- name: reviews-canary\.)/);
    expect(everyone, 'two rules').toBeDefined();
    return `${head}${everyone!.replace(/\n+$/, '')}${testers}\n`;
  },
  'the timeout changed': mutation('timeout: 3s', 'timeout: 30s'),
};

describe('mutated examples/bookinfo-canary.yaml output fails its expectations', () => {
  it.each(Object.entries(ROUTING_MUTATIONS))('%s', async (_name, mutate) => {
    const run = await runCase('examples/bookinfo-canary.yaml', bookinfo, bookinfo.calls, mutate);
    expect(() => bookinfo.check(run.answer)).toThrow();
  });
});

describe('mutated examples/zero-trust.yaml output fails its expectations', () => {
  const reviews = pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' });
  const productpage = pod('bookinfo', 'productpage', { app: 'productpage' }, 'bookinfo-productpage');
  const world = {
    services: [{ namespace: 'bookinfo', name: 'reviews', ip: '10.96.0.20', ports: [{ port: 9080 }] }],
    pods: [reviews, productpage],
  };
  const calls = [
    arrival('pp-get', productpage, reviews, 9080, { path: '/reviews/1' }),
    arrival('pp-other', productpage, reviews, 9080, { path: '/details/1' }),
  ];
  const check = (answer: Parameters<typeof result>[0]) => {
    expect(allowed(result(answer, 'pp-get'))).toBe(true);
    expect(allowed(result(answer, 'pp-other'))).toBe(false);
  };
  it('holds for the real output', async () =>
    check((await runCase('examples/zero-trust.yaml', world, calls)).answer));
  it.each([
    ['the path widened', mutation('- /reviews/*', '- /*')],
    ['another caller allowed', mutation('sa/bookinfo-productpage', 'sa/bookinfo-ratings')],
  ])('%s', async (_name, mutate) => {
    const run = await runCase('examples/zero-trust.yaml', world, calls, mutate);
    expect(() => check(run.answer)).toThrow();
  });
});

describe('the analyzers see the workloads', () => {
  it('reports a subset that selects no pods when the reviews-v2 pods are missing (IST0173)', async () => {
    const world = { services: bookinfo.services, pods: bookinfo.pods.filter((p) => p.name !== 'reviews-v2') };
    const run = await runCase('examples/bookinfo-canary.yaml', world, []);
    expect(run.answer.messages.map((m) => [m.code, m.resource])).toContainEqual([
      'IST0173',
      'DestinationRule bookinfo/reviews',
    ]);
  });
});
