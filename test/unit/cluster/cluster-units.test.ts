// Pure parts of src/cluster: the ApplySet id, Retry-After parsing, the unified diff, bounded
// concurrency, object comparison, KUBECONFIG merging. (The API behaviour is tested against a real
// kube-apiserver in test/integration.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applySetId, idOf, parentObject } from '../../../src/cluster/applyset.js';
import { isTransient, KubeApiError, parseRetryAfter } from '../../../src/cluster/client.js';
import { loadKubeTarget } from '../../../src/cluster/kubeconfig.js';
import { type LiveObject, sameObject } from '../../../src/cluster/objects.js';
import { mapLimit } from '../../../src/cluster/pool.js';
import { groupKind, parseGroupKind } from '../../../src/cluster/resources.js';
import { unifiedDiff } from '../../../src/cluster/yaml-diff.js';

describe('ApplySet (KEP-3659)', () => {
  it('computes the id as applyset-base64url(sha256(name.namespace.kind.group))-v1', () => {
    expect(applySetId('applyset-anymesh-istio', 'default', 'Secret', '')).toBe(
      'applyset-aWQT5MxdmpuMut5VVgaa3nj-zmJe2QrKfjbl8_6eoh8-v1',
    );
    expect(idOf({ name: 'anymesh-istio', namespace: 'default' })).toBe(
      applySetId('applyset-anymesh-istio', 'default', 'Secret', ''),
    );
  });

  it('lists group-kinds sorted and namespaces other than its own', () => {
    const p = parentObject(
      { name: 's', namespace: 'a' },
      'anymesh/1',
      ['VirtualService.networking.istio.io', 'Service', 'Service'],
      ['b', 'a', 'c'],
    );
    expect(p.metadata.annotations).toEqual({
      'applyset.kubernetes.io/tooling': 'anymesh/1',
      'applyset.kubernetes.io/contains-group-kinds': 'Service,VirtualService.networking.istio.io',
      'applyset.kubernetes.io/additional-namespaces': 'b,c',
    });
    expect(groupKind('', 'Service')).toBe('Service');
    expect(parseGroupKind('VirtualService.networking.istio.io')).toEqual({
      group: 'networking.istio.io',
      kind: 'VirtualService',
    });
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts and has hunks with context otherwise', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
    const text = unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\n4\nfive\n6\n7\n8\n', 'live', 'merged');
    expect(text).toBe('--- live\n+++ merged\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
    expect(unifiedDiff('', 'a\n', 'l', 'm')).toBe('--- l\n+++ m\n@@ -0,0 +1,1 @@\n+a\n');
  });
});

describe('mapLimit', () => {
  it('keeps at most N in flight and stops starting new work after a failure when asked', async () => {
    let inFlight = 0;
    let peak = 0;
    const r = await mapLimit([1, 2, 3, 4, 5, 6, 7, 8], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((d) => setTimeout(d, 5));
      inFlight--;
      return n * 2;
    });
    expect(peak).toBe(3);
    expect(r.map((x) => (x.status === 'fulfilled' ? x.value : 0))).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    const started: number[] = [];
    const s = await mapLimit(
      [1, 2, 3, 4],
      1,
      async (n) => {
        started.push(n);
        if (n === 2) throw new Error('no');
        return n;
      },
      { stopOnError: true },
    );
    expect(started).toEqual([1, 2]);
    expect(s.filter(Boolean)).toHaveLength(2);
  });
});

describe('sameObject', () => {
  const obj = (rv: string, time: string, timeout: string): LiveObject => ({
    apiVersion: 'v1',
    kind: 'X',
    metadata: {
      name: 'n',
      resourceVersion: rv,
      generation: 1,
      managedFields: [{ manager: 'anymesh', operation: 'Apply', time }],
    },
    spec: { timeout },
  });
  it('ignores resourceVersion, generation and managedFields times, not content', () => {
    expect(sameObject(obj('1', 't1', '3s'), obj('2', 't2', '3s'))).toBe(true);
    expect(sameObject(obj('1', 't1', '3s'), obj('1', 't1', '4s'))).toBe(false);
  });
});

describe('KUBECONFIG merging as kubectl', () => {
  const saved = process.env.KUBECONFIG;
  afterEach(() => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  });
  const dir = mkdtempSync(join(tmpdir(), 'anymesh-kcu-'));
  const file = (name: string, server: string, current: string | undefined, ns?: string) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(
      path,
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server } }],
        users: [{ name: 'u', user: { token: name } }],
        contexts: [{ name, context: { cluster: 'c', user: 'u', ...(ns ? { namespace: ns } : {}) } }],
        ...(current ? { 'current-context': current } : {}),
      }),
    );
    return path;
  };
  it('first current-context and first definition of a name win; missing files are skipped', () => {
    const a = file('a', 'https://a.example:6443', undefined);
    const b = file('b', 'https://b.example:6443', 'b', 'team-b');
    const c = file('c', 'https://c.example:6443', 'c');
    process.env.KUBECONFIG = [join(dir, 'absent.yaml'), a, b, c].join(':');
    const t = loadKubeTarget({});
    expect(t.context).toBe('b');
    expect(t.namespace).toBe('team-b');
    // cluster "c" is defined in all three files: the first (a's) wins.
    expect(t.server).toBe('https://a.example:6443');
    expect(loadKubeTarget({ context: 'c', namespace: 'x' })).toMatchObject({ context: 'c', namespace: 'x' });
  });
});

describe('which API errors are retried', () => {
  const err = (code: number, message: string, reason = 'InternalError') =>
    new KubeApiError('PATCH', '/apis/x', code, message, reason, { message });
  it('retries throttling, server errors and lost connections', () => {
    expect(isTransient(err(429, 'too many requests', 'TooManyRequests'))).toBe(true);
    expect(isTransient(err(503, 'unavailable', 'ServiceUnavailable'))).toBe(true);
    expect(isTransient(err(500, 'etcdserver: leader changed'))).toBe(true);
    expect(isTransient(new KubeApiError('GET', '/x', 0, 'ECONNREFUSED: connect', 'ECONNREFUSED'))).toBe(true);
  });
  it('does not retry what fails the same way every time', () => {
    expect(isTransient(err(422, 'invalid', 'Invalid'))).toBe(false);
    expect(isTransient(err(403, 'forbidden', 'Forbidden'))).toBe(false);
    // kube-apiserver 1.37 answers a wrongly typed field in a server-side apply with 500.
    expect(
      isTransient(
        err(
          500,
          'failed to create typed patch object (/v1, Kind=ConfigMap): .data.x: expected string, got &value.valueUnstructured{Value:1}',
        ),
      ),
    ).toBe(false);
  });
});
