/**
 * Hand-written expectations for golden cases that the mutation test reuses: from the policy's
 * plain meaning, never read back from the output.
 */
import { expect } from 'vitest';
import type { Answer } from './driver.js';
import { backends, pod, request, result, type ServiceDef } from './world.js';

/** examples/bookinfo-canary.yaml: jason always gets v2, everyone else 90/10 with a 3 s timeout. */
export const bookinfo = {
  services: [
    { namespace: 'bookinfo', name: 'reviews', ip: '10.96.0.10', ports: [{ port: 9080 }] },
  ] as ServiceDef[],
  pods: [
    pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' }),
    pod('bookinfo', 'reviews-v2', { app: 'reviews', version: 'v2' }),
    pod('bookinfo', 'productpage', { app: 'productpage' }, 'bookinfo-productpage'),
  ],
  get calls() {
    const [reviews] = this.services;
    const from = this.pods[2]!;
    return [
      request('jason', from, reviews!, 9080, { headers: { 'end-user': 'jason' } }),
      request('Jason', from, reviews!, 9080, { headers: { 'end-user': 'Jason' } }),
      request('anonymous', from, reviews!, 9080, { path: '/reviews/1' }),
    ];
  },
  check(answer: Answer) {
    const jason = result(answer, 'jason');
    expect(jason.route?.name).toBe('reviews-canary.testers');
    expect(backends(jason)).toEqual({ 'reviews.bookinfo:9080/v2': 100 });
    expect(jason.route?.timeoutMs ?? 0, 'the testers rule sets no timeout').toBe(0);
    // exact matches the value case-sensitively: "Jason" is not the tester.
    for (const id of ['Jason', 'anonymous']) {
      const r = result(answer, id);
      expect(r.route?.name, id).toBe('reviews-canary.everyone');
      expect(backends(r), id).toEqual({ 'reviews.bookinfo:9080/v1': 90, 'reviews.bookinfo:9080/v2': 10 });
      expect(r.route?.timeoutMs, id).toBe(3000);
    }
  },
};
