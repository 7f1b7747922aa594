// BackendPolicy outlier detection on Linkerd: failure-accrual annotations on the user's Service.
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { linkerdDuration } from '../../../src/adapters/linkerd/native.js';
import { compileFor } from '../../support/kit.js';

const backend = (name: string, port: number, errors: number) => ({
  apiVersion: 'anymesh.dev/v1alpha1',
  kind: 'BackendPolicy',
  metadata: { name, namespace: 'bookinfo' },
  spec: {
    service: 'reviews',
    port,
    outlierDetection: { consecutiveErrors: errors, baseEjectionTime: '90s' },
  },
});

const file = (...docs: object[]) => docs.map((d) => dump(d)).join('---\n');

describe('Linkerd failure accrual', () => {
  it('writes durations the way Linkerd parses them: one number, one unit', () => {
    expect(linkerdDuration(90_000)).toBe('90s');
    expect(linkerdDuration(120_000)).toBe('2m');
    expect(linkerdDuration(1500)).toBe('1500ms');
    expect(linkerdDuration(7_200_000)).toBe('2h');
  });

  it('one annotated Service for two policies of one service that agree', () => {
    const r = compileFor('linkerd', file(backend('a', 9080, 4), backend('b', 9443, 4)));
    expect(r.ok).toBe(true);
    const services = r.resources.filter((o) => o.kind === 'Service');
    expect(services).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'reviews',
          namespace: 'bookinfo',
          annotations: {
            'balancer.linkerd.io/failure-accrual': 'consecutive',
            'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '4',
            'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '90s',
            'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '5m',
          },
        },
      },
    ]);
  });

  it('refuses two policies of one service that disagree (AM4219), naming the other', () => {
    const r = compileFor('linkerd', file(backend('a', 9080, 4), backend('b', 9443, 2)));
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4219');
    expect(d?.path).toBe('spec.outlierDetection');
    expect(d?.message).toContain('BackendPolicy/bookinfo/a');
  });
});
