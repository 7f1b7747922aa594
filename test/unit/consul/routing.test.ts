import { describe, expect, it } from 'vitest';
import { subsetFilter } from '../../../src/adapters/consul/routing.js';
import { renderYaml } from '../../../src/core/render.js';
import { codes, compileFor, findObject, kinds, traffic } from '../../support/kit.js';

const versions = '  versions: {v1: {version: v1}, v2: {version: v2}}\n';

describe('Consul routing', () => {
  it('compiles the plain canary into a ServiceSplitter on the service itself, without a router', () => {
    const r = compileFor(
      'consul',
      traffic(`  service: reviews
${versions}  rules:
    - backends: [{version: v1, weight: 90}, {version: v2, weight: 10}]
      requestHeaders: {set: {x-canary: "yes"}}
      responseHeaders: {remove: [server]}`),
    );
    expect(r.ok).toBe(true);
    expect(kinds(r.resources)).toEqual([
      'ServiceDefaults/bookinfo/reviews',
      'ServiceResolver/bookinfo/reviews',
      'ServiceSplitter/bookinfo/reviews',
    ]);
    expect(findObject(r.resources, 'ServiceDefaults').spec).toEqual({ protocol: 'http' });
    expect(findObject(r.resources, 'ServiceResolver').spec).toEqual({
      subsets: {
        v1: { filter: 'Service.Meta.version == "v1"' },
        v2: { filter: 'Service.Meta.version == "v2"' },
      },
    });
    expect(findObject(r.resources, 'ServiceSplitter').spec.splits).toEqual([
      {
        weight: 90,
        service: 'reviews',
        serviceSubset: 'v1',
        requestHeaders: { set: { 'x-canary': 'yes' } },
        responseHeaders: { remove: ['server'] },
      },
      {
        weight: 10,
        service: 'reviews',
        serviceSubset: 'v2',
        requestHeaders: { set: { 'x-canary': 'yes' } },
        responseHeaders: { remove: ['server'] },
      },
    ]);
  });

  it('tells users which service-meta pod annotations the subset filters expect (AM4302)', () => {
    const r = compileFor(
      'consul',
      traffic(
        `  service: reviews\n  versions: {v1: {version: v1, track: stable}}\n  rules: [{backends: [{version: v1}]}]`,
      ),
    );
    const d = r.diagnostics.find((x) => x.code === 'AM4302')!;
    expect(d.level).toBe('info');
    expect(d.message).toContain('consul.hashicorp.com/service-meta-track: "stable"');
    expect(d.message).toContain('consul.hashicorp.com/service-meta-version: "v1"');
    expect(d.location?.line).toBe(6);
    expect(findObject(r.resources, 'ServiceResolver').spec.subsets.v1.filter).toBe(
      'Service.Meta.track == "stable" and Service.Meta.version == "v1"',
    );
  });

  it('quotes subset filter values so bexpr reads them as one token', () => {
    expect(subsetFilter({ version: '1.2-rc' })).toBe('Service.Meta.version == "1.2-rc"');
  });

  it('indexes metadata keys that are not bexpr identifiers, which Consul refuses after a dot', () => {
    // Consul 1.16.3 refused `Service.Meta.app-version == "v1"`: "Filter for subset "v1" is not a
    // valid expression" (go-bexpr selectors are [a-zA-Z][a-zA-Z0-9_]*).
    expect(subsetFilter({ 'app-version': 'v1' })).toBe('Service.Meta["app-version"] == "v1"');
    expect(subsetFilter({ '1x': 'a', track_id: 'b' })).toBe(
      'Service.Meta["1x"] == "a" and Service.Meta.track_id == "b"',
    );
  });

  it('refuses the reserved consul- metadata prefix, which Consul will not register (AM4303)', () => {
    for (const key of ['consul-version', 'consul-track']) {
      const r = compileFor(
        'consul',
        traffic(
          `  service: reviews\n  versions: {v1: {${key}: "1"}}\n  rules: [{backends: [{version: v1}]}]`,
        ),
      );
      expect(r.ok, key).toBe(false);
      expect(codes(r.diagnostics), key).toContain('AM4303');
    }
  });

  it('refuses a version label key that cannot be a Consul metadata key (AM4303)', () => {
    const r = compileFor(
      'consul',
      traffic(
        `  service: reviews\n  versions: {v1: {app.kubernetes.io/version: "1"}}\n  rules: [{backends: [{version: v1}]}]`,
      ),
    );
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4303')!;
    expect(d.path).toBe('spec.versions.v1["app.kubernetes.io/version"]');
    expect(d.location?.line).toBe(6);
  });

  it('routes a weighted rule among others through a per-rule virtual service with its own splitter', () => {
    const r = compileFor(
      'consul',
      traffic(`  service: reviews
${versions}  rules:
    - name: testers
      matches: [{headers: [{name: end-user, exact: jason}]}]
      backends: [{version: v2}]
    - name: everyone
      backends: [{version: v1, weight: 75}, {version: v2, weight: 25}]
      timeout: 3s
      requestHeaders: {add: {x-split: "1"}}`),
    );
    expect(r.ok).toBe(true);
    expect(kinds(r.resources)).toEqual([
      'ServiceDefaults/bookinfo/reviews',
      'ServiceDefaults/bookinfo/reviews-split-everyone',
      'ServiceResolver/bookinfo/reviews',
      'ServiceRouter/bookinfo/reviews',
      'ServiceSplitter/bookinfo/reviews-split-everyone',
    ]);
    expect(findObject(r.resources, 'ServiceDefaults', 'reviews-split-everyone').spec).toEqual({
      protocol: 'http',
    });
    expect(findObject(r.resources, 'ServiceRouter').spec.routes).toEqual([
      {
        match: { http: { header: [{ name: 'end-user', exact: 'jason' }] } },
        destination: { service: 'reviews', serviceSubset: 'v2' },
      },
      {
        destination: {
          service: 'reviews-split-everyone',
          requestTimeout: '3s',
          requestHeaders: { add: { 'x-split': '1' } },
        },
      },
    ]);
    expect(findObject(r.resources, 'ServiceSplitter').spec.splits).toEqual([
      { weight: 75, service: 'reviews', serviceSubset: 'v1' },
      { weight: 25, service: 'reviews', serviceSubset: 'v2' },
    ]);
  });

  it('maps every match kind and turns each match entry of a rule into its own route, in order', () => {
    const r = compileFor(
      'consul',
      traffic(`  service: reviews
  rules:
    - matches:
        - path: {exact: /a}
          method: GET
          headers: [{name: x-p, prefix: pre}, {name: x-r, regex: "a|b"}, {name: x-d, present: true}]
        - path: {regex: "/r/[0-9]+"}
          queryParams: [{name: q, exact: "1"}, {name: r, regex: "x.*"}, {name: s, present: true}]
    - matches: [{path: {prefix: /api}}]`),
    );
    const routes = findObject(r.resources, 'ServiceRouter').spec.routes;
    expect(routes.map((x: { match: unknown }) => x.match)).toEqual([
      {
        http: {
          pathExact: '/a',
          methods: ['GET'],
          header: [
            { name: 'x-p', prefix: 'pre' },
            { name: 'x-r', regex: 'a|b' },
            { name: 'x-d', present: true },
          ],
        },
      },
      {
        http: {
          pathRegex: '/r/[0-9]+',
          queryParam: [
            { name: 'q', exact: '1' },
            { name: 'r', regex: 'x.*' },
            { name: 's', present: true },
          ],
        },
      },
      { http: { pathPrefix: '/api' } },
    ]);
    expect(
      routes.every(
        (x: { destination: unknown }) => JSON.stringify(x.destination) === '{"service":"reviews"}',
      ),
    ).toBe(true);
  });

  it('maps timeouts and retries: status codes, connect failure and named conditions', () => {
    const r = compileFor(
      'consul',
      traffic(`  service: reviews
  rules:
    - timeout: 1m30s
      retries: {attempts: 4, retryOn: [5xx, "503", "429", connect-failure, reset, refused-stream, retriable-4xx, gateway-error, cancelled, deadline-exceeded]}`),
    );
    expect(findObject(r.resources, 'ServiceRouter').spec.routes[0].destination).toEqual({
      service: 'reviews',
      requestTimeout: '1m30s',
      numRetries: 4,
      retryOnConnectFailure: true,
      retryOn: [
        '5xx',
        'reset',
        'refused-stream',
        'retriable-4xx',
        'gateway-error',
        'cancelled',
        'deadline-exceeded',
      ],
      retryOnStatusCodes: [503, 429],
    });
    expect(codes(r.diagnostics)).not.toContain('AM4308');
  });

  it('gives retries without retryOn conditions Envoy would act on, and says so (AM4308)', () => {
    const r = compileFor('consul', traffic(`  service: reviews\n  rules:\n    - retries: {attempts: 2}`));
    expect(findObject(r.resources, 'ServiceRouter').spec.routes[0].destination).toEqual({
      service: 'reviews',
      numRetries: 2,
      retryOnConnectFailure: true,
      retryOn: ['refused-stream'],
    });
    const d = r.diagnostics.find((x) => x.code === 'AM4308')!;
    expect(d.path).toBe('spec.rules[0].retries');
  });

  it('routes to another service and makes it an HTTP service in its own namespace', () => {
    const r = compileFor(
      'consul',
      traffic(
        `  service: reviews\n  rules:\n    - backends: [{service: ratings, namespace: data, port: 9080}]`,
      ),
    );
    expect(findObject(r.resources, 'ServiceRouter').spec.routes[0].destination).toEqual({
      service: 'ratings',
    });
    expect(findObject(r.resources, 'ServiceDefaults', 'ratings').metadata.namespace).toBe('data');
    expect(r.diagnostics.find((d) => d.code === 'AM4309')!.message).toContain(
      'ratings (namespace data), reviews',
    );
  });

  it('writes namespace fields on Consul Enterprise', () => {
    const r = compileFor(
      'consul',
      traffic(`  service: reviews
${versions}  rules:
    - matches: [{path: {prefix: /x}}]
      backends: [{service: ratings, namespace: data}]
    - backends: [{version: v1, weight: 50}, {service: ratings, namespace: data, weight: 50}]`),
      { options: { 'consul.enterprise': 'true' } },
    );
    expect(
      findObject(r.resources, 'ServiceRouter').spec.routes.map(
        (x: { destination: unknown }) => x.destination,
      ),
    ).toEqual([
      { service: 'ratings', namespace: 'data' },
      { service: 'reviews-split-rule-1', namespace: 'bookinfo' },
    ]);
    expect(findObject(r.resources, 'ServiceSplitter').spec.splits).toEqual([
      { weight: 50, service: 'reviews', serviceSubset: 'v1', namespace: 'bookinfo' },
      { weight: 50, service: 'ratings', namespace: 'data' },
    ]);
  });

  it('warns that spec.port is not matched (partial) and still compiles', () => {
    const r = compileFor('consul', traffic(`  service: reviews\n  port: 9080\n  rules: [{timeout: 2s}]`));
    expect(r.ok).toBe(true);
    const d = r.diagnostics.find((x) => x.code === 'AM3003')!;
    expect(d.feature).toBe('match.port');
    expect(d.location?.line).toBe(6);
  });

  it('reports two policies for one service in one namespace as a conflict (one router per service)', () => {
    const text = `${traffic('  service: reviews\n  rules: [{matches: [{path: {prefix: /a}}], timeout: 1s}]', 'a')}---\n${traffic('  service: reviews\n  rules: [{matches: [{path: {prefix: /b}}], timeout: 2s}]', 'b')}`;
    const r = compileFor('consul', text);
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4310')!;
    expect(d.policy).toBe('TrafficPolicy/bookinfo/b');
    expect(d.message).toContain('test.yaml:5:12');
  });

  it('reports the same service name in two namespaces on Community Edition, with both positions (AM4304)', () => {
    const text = `${traffic('  service: reviews\n  rules: [{timeout: 1s}]', 'r', 'team-a')}---\n${traffic('  service: reviews\n  rules: [{timeout: 2s}]', 'r', 'team-b')}`;
    const r = compileFor('consul', text);
    expect(r.ok).toBe(false);
    const collisions = r.diagnostics.filter((x) => x.code === 'AM4304');
    expect(collisions.length).toBeGreaterThan(0);
    for (const d of collisions) {
      expect(d.policy).toBe('TrafficPolicy/team-b/r');
      expect(d.location?.line).toBe(12);
      expect(d.message).toContain('test.yaml:5:12');
    }
    const ent = compileFor('consul', text, { options: { 'consul.enterprise': 'true' } });
    expect(ent.ok).toBe(true);
    expect(kinds(ent.resources)).toContain('ServiceRouter/team-a/reviews');
    expect(kinds(ent.resources)).toContain('ServiceRouter/team-b/reviews');
  });

  it('is deterministic: same input, byte-identical output, whatever the document order', () => {
    const a = traffic(
      `  service: reviews\n${versions}  rules:\n    - backends: [{version: v1, weight: 50}, {version: v2, weight: 50}]\n      timeout: 1s`,
    );
    const b = traffic(`  service: ratings\n  rules:\n    - backends: [{service: reviews}]`, 'ratings');
    const one = renderYaml(compileFor('consul', `${a}---\n${b}`).resources);
    expect(renderYaml(compileFor('consul', `${a}---\n${b}`).resources)).toBe(one);
    expect(renderYaml(compileFor('consul', `${b}---\n${a}`).resources)).toBe(one);
  });

  it('marks every object as managed by anymesh and names its source policies', () => {
    const r = compileFor('consul', traffic(`  service: reviews\n  rules: [{timeout: 1s}]`));
    for (const o of r.resources) {
      expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'anymesh' });
      expect(o.metadata.annotations).toEqual({
        'anymesh.dev/source-policies': 'TrafficPolicy/bookinfo/reviews',
      });
    }
  });
});
