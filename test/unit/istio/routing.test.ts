import { describe, expect, it } from 'vitest';
import { renderYaml } from '../../../src/core/render.js';
import { codes, compileFor, findObject, traffic } from '../../support/kit.js';

describe('Istio routing', () => {
  it('routes versions through DestinationRule subsets with FQDN hosts and integer weights', () => {
    const r = compileFor(
      'istio',
      traffic(`  service: reviews
  versions: {v1: {version: v1}, v2: {version: v2, track: canary}}
  rules:
    - backends: [{version: v1, weight: 75}, {version: v2, weight: 25}]`),
    );
    expect(r.ok).toBe(true);
    const dr = findObject(r.resources, 'DestinationRule');
    expect(dr.spec.host).toBe('reviews.bookinfo.svc.cluster.local');
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2', track: 'canary' } },
    ]);
    const vs = findObject(r.resources, 'VirtualService');
    expect(vs.spec.hosts).toEqual(['reviews.bookinfo.svc.cluster.local']);
    expect(vs.spec.http[0].route).toEqual([
      { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' }, weight: 75 },
      { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' }, weight: 25 },
    ]);
    expect(vs.spec.http[0].match).toBeUndefined();
  });

  it('honours --cluster-domain in every host', () => {
    const r = compileFor('istio', traffic('  service: reviews\n  rules: [{timeout: 1s}]'), {
      context: { clusterDomain: 'corp.internal' },
    });
    expect(findObject(r.resources, 'VirtualService').spec.hosts).toEqual([
      'reviews.bookinfo.svc.corp.internal',
    ]);
  });

  it('maps every kind of match, lower-cases header names and ORs entries', () => {
    const r = compileFor(
      'istio',
      traffic(`  service: reviews
  port: 9080
  rules:
    - matches:
        - path: {regex: "/r/[0-9]+"}
          method: PUT
          headers: [{name: X-User, exact: a}, {name: x-p, prefix: b}, {name: x-r, regex: "c.*"}, {name: x-any, present: true}]
          queryParams: [{name: q, exact: "1"}, {name: r, regex: "[a-z]"}, {name: s, present: true}]
        - path: {exact: /health}`),
    );
    const http = findObject(r.resources, 'VirtualService').spec.http[0];
    expect(http.match).toEqual([
      {
        uri: { regex: '/r/[0-9]+' },
        method: { exact: 'PUT' },
        headers: { 'x-user': { exact: 'a' }, 'x-p': { prefix: 'b' }, 'x-r': { regex: 'c.*' }, 'x-any': {} },
        queryParams: { q: { exact: '1' }, r: { regex: '[a-z]' }, s: { regex: '.*' } },
        port: 9080,
      },
      { uri: { exact: '/health' }, port: 9080 },
    ]);
    expect(http.route[0].destination.port).toEqual({ number: 9080 });
  });

  it('crosses match entries with sources (namespace, labels)', () => {
    const r = compileFor(
      'istio',
      traffic(`  service: reviews
  sources: [{namespace: a}, {labels: {app: b}}]
  rules:
    - matches: [{method: GET}, {method: POST}]`),
    );
    expect(findObject(r.resources, 'VirtualService').spec.http[0].match).toEqual([
      { method: { exact: 'GET' }, sourceNamespace: 'a' },
      { method: { exact: 'GET' }, sourceLabels: { app: 'b' } },
      { method: { exact: 'POST' }, sourceNamespace: 'a' },
      { method: { exact: 'POST' }, sourceLabels: { app: 'b' } },
    ]);
  });

  it('refuses caller service accounts in routing, pointing at labels or AccessPolicy', () => {
    const r = compileFor(
      'istio',
      traffic(
        '  service: reviews\n  sources: [{namespace: a, serviceAccount: web}]\n  rules: [{timeout: 1s}]',
      ),
    );
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM3001')!;
    expect(d.feature).toBe('routing.sources.serviceAccount');
    expect(d.location).toMatchObject({ file: 'test.yaml', line: 6, col: 44 });
    expect(d.path).toBe('spec.sources[0].serviceAccount');
  });

  it('with --allow-degraded, drops the source entry (not widening the policy) and warns', () => {
    const r = compileFor(
      'istio',
      traffic(
        '  service: reviews\n  sources: [{namespace: a, serviceAccount: web}, {namespace: b}]\n  rules: [{timeout: 1s}]',
      ),
      { allowDegraded: true },
    );
    expect(r.ok).toBe(true);
    expect(codes(r.diagnostics)).toContain('AM3002');
    expect(findObject(r.resources, 'VirtualService').spec.http[0].match).toEqual([{ sourceNamespace: 'b' }]);
  });

  it('renders timeouts, retries (with backoff), faults, mirrors, headers and CORS natively', () => {
    const r = compileFor(
      'istio',
      traffic(`  service: reviews
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
    - backends: [{version: v1}]
      timeout: 1m30s
      retries: {attempts: 3, perTryTimeout: 250ms, retryOn: [5xx, connect-failure, "503"], backoff: {base: 25ms}}
      fault: {delay: {duration: 2s, percentage: 12.5}, abort: {grpcStatus: UNAVAILABLE, percentage: 1}}
      mirror: {backend: {version: v2}, percentage: 20}
      requestHeaders: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
      responseHeaders: {remove: [server]}
      cors:
        allowOrigins: [{exact: "https://a.example"}, {regex: "https://.*\\\\.b\\\\.example"}]
        allowMethods: [GET]
        maxAge: 24h
        allowCredentials: false`),
    );
    const http = findObject(r.resources, 'VirtualService').spec.http[0];
    expect(http.timeout).toBe('1m30s');
    expect(http.retries).toEqual({
      attempts: 3,
      perTryTimeout: '250ms',
      retryOn: '5xx,connect-failure,503',
      backoff: '25ms',
    });
    expect(http.fault).toEqual({
      delay: { fixedDelay: '2s', percentage: { value: 12.5 } },
      abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 1 } },
    });
    expect(http.mirrors).toEqual([
      {
        destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' },
        percentage: { value: 20 },
      },
    ]);
    expect(http.headers).toEqual({
      request: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
      response: { remove: ['server'] },
    });
    expect(http.corsPolicy).toEqual({
      allowOrigins: [{ exact: 'https://a.example' }, { regex: 'https://.*\\.b\\.example' }],
      allowMethods: ['GET'],
      maxAge: '24h',
      allowCredentials: false,
    });
  });

  it('refuses retries.backoff for Istio before 1.26, and backoff.max always', () => {
    const text = traffic('  service: reviews\n  rules: [{retries: {attempts: 2, backoff: {base: 10ms}}}]');
    const old = compileFor('istio', text, { context: { meshVersion: '1.25' } });
    expect(old.ok).toBe(false);
    expect(old.diagnostics.find((d) => d.code === 'AM3001')?.feature).toBe('retries.backoff');
    expect(compileFor('istio', text, { context: { meshVersion: '1.26.0' } }).ok).toBe(true);
    const withMax = compileFor(
      'istio',
      traffic('  service: reviews\n  rules: [{retries: {attempts: 2, backoff: {base: 10ms, max: 1s}}}]'),
    );
    expect(withMax.diagnostics.find((d) => d.code === 'AM3001')?.feature).toBe('retries.backoff.max');
  });

  it('routes to other services by FQDN, across namespaces', () => {
    const r = compileFor(
      'istio',
      traffic('  service: reviews\n  rules: [{backends: [{service: ratings, namespace: other, port: 80}]}]'),
    );
    expect(findObject(r.resources, 'VirtualService').spec.http[0].route).toEqual([
      { destination: { host: 'ratings.other.svc.cluster.local', port: { number: 80 } } },
    ]);
  });
});

describe('Istio: several policies for one service', () => {
  const a = traffic('  service: reviews\n  rules: [{name: all, timeout: 1s}]', 'a');
  const scoped = traffic(
    '  service: reviews\n  sources: [{namespace: qa}]\n  rules: [{name: qa, timeout: 9s}]',
    'z',
  );
  it('merge into one VirtualService, scoped policies first, regardless of input order', () => {
    const r1 = compileFor('istio', `${a}---\n${scoped}`);
    const r2 = compileFor('istio', `${scoped}---\n${a}`);
    expect(renderYaml(r1.resources)).toBe(renderYaml(r2.resources));
    const vs = r1.resources.filter((x) => x.kind === 'VirtualService');
    expect(vs).toHaveLength(1);
    expect((vs[0]!.spec as { http: { name: string }[] }).http.map((h) => h.name)).toEqual(['z.qa', 'a.all']);
    expect(vs[0]!.metadata.annotations?.['anymesh.dev/source-policies']).toBe(
      'TrafficPolicy/bookinfo/a,TrafficPolicy/bookinfo/z',
    );
  });
  it('with the same scope and disjoint matches merge in name order', () => {
    const x = traffic(
      '  service: reviews\n  rules: [{name: x, matches: [{path: {prefix: /x}}], timeout: 1s}]',
      'b',
    );
    const y = traffic(
      '  service: reviews\n  rules: [{name: y, matches: [{path: {prefix: /y}}], timeout: 2s}]',
      'a',
    );
    const r = compileFor('istio', `${x}---\n${y}`);
    expect(r.ok).toBe(true);
    const vs = r.resources.find((o) => o.kind === 'VirtualService')!;
    expect((vs.spec as { http: { name: string }[] }).http.map((h) => h.name)).toEqual(['a.y', 'b.x']);
  });
  it('with one version name on different labels are a conflict', () => {
    const r = compileFor(
      'istio',
      `${traffic('  service: reviews\n  versions: {v1: {version: v1}}\n  rules: [{backends: [{version: v1}]}]', 'a')}---\n${traffic('  service: reviews\n  port: 80\n  versions: {v1: {version: one}}\n  rules: [{backends: [{version: v1}]}]', 'b')}`,
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM3015');
  });
});
