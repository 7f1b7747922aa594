import { describe, expect, it } from 'vitest';
import { renderYaml } from '../../../src/core/render.js';
import { codes, compileFor, findObject, objectsOf, traffic } from '../../support/kit.js';

const canary = traffic(`  service: reviews
  port: 9080
  selector: {app: reviews}
  versions: {v1: {version: v1}, v2: {version: v2, track: canary}}
  rules:
    - name: testers
      matches: [{headers: [{name: end-user, exact: jason}]}]
      backends: [{version: v2}]
    - name: everyone
      backends: [{version: v1, weight: 90}, {version: v2, weight: 10}]`);

describe('Linkerd routing: HTTPRoute with a Service parent', () => {
  it('emits gateway.networking.k8s.io/v1 HTTPRoutes with a core Service parentRef and the port', () => {
    const r = compileFor('linkerd', canary);
    expect(r.ok).toBe(true);
    const route = findObject(r.resources, 'HTTPRoute', 'reviews');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.namespace).toBe('bookinfo');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', port: 9080 }]);
    expect(route.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'anymesh' });
    expect(route.metadata.annotations?.['anymesh.dev/source-policies']).toBe(
      'TrafficPolicy/bookinfo/reviews',
    );
  });

  it('keeps rule order and writes weighted backendRefs to leaf Services', () => {
    const route = findObject(compileFor('linkerd', canary).resources, 'HTTPRoute');
    expect(route.spec.rules).toEqual([
      {
        matches: [{ headers: [{ name: 'end-user', type: 'Exact', value: 'jason' }] }],
        backendRefs: [{ name: 'reviews-v2', port: 9080 }],
      },
      {
        backendRefs: [
          { name: 'reviews-v1', port: 9080, weight: 90 },
          { name: 'reviews-v2', port: 9080, weight: 10 },
        ],
      },
    ]);
  });

  it('makes one leaf Service per used version: selector plus version labels, the port, and says so', () => {
    const r = compileFor('linkerd', canary);
    const services = objectsOf(r.resources, 'Service');
    expect(services.map((s) => s.metadata.name)).toEqual(['reviews-v1', 'reviews-v2']);
    const v2 = findObject(r.resources, 'Service', 'reviews-v2');
    expect(v2.apiVersion).toBe('v1');
    expect(v2.spec).toEqual({
      selector: { app: 'reviews', track: 'canary', version: 'v2' },
      ports: [{ name: 'port-9080', port: 9080, targetPort: 9080, protocol: 'TCP' }],
    });
    const info = r.diagnostics.find((d) => d.code === 'AM4202')!;
    expect(info.level).toBe('info');
    expect(info.message).toContain('from spec.selector');
    expect(info.path).toBe('spec.versions');
  });

  it('defaults the selector to app: <service> with AM3005 and names the default in AM4202', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  versions: {v1: {version: v1}}
  rules: [{backends: [{version: v1}]}]`),
    );
    expect(codes(r.diagnostics)).toContain('AM3005');
    expect(r.diagnostics.find((d) => d.code === 'AM4202')!.message).toContain('default app: reviews');
    expect(findObject(r.resources, 'Service', 'reviews-v1').spec.selector).toEqual({
      app: 'reviews',
      version: 'v1',
    });
  });

  it('refuses versions without spec.port (a Service needs a port) with AM4201 at the backend', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  versions: {v1: {version: v1}}
  rules: [{backends: [{version: v1}]}]`),
    );
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4201')!;
    expect(d.path).toBe('spec.rules[0].backends[0].version');
    expect(d.location?.line).toBe(7);
    expect(r.resources).toEqual([]);
  });

  it('refuses a backend service without a port when spec.port is absent (Linkerd fails such backends)', () => {
    const r = compileFor(
      'linkerd',
      traffic('  service: reviews\n  rules: [{backends: [{service: ratings}]}]'),
    );
    expect(codes(r.diagnostics)).toContain('AM4201');
  });

  it('without spec.port and backends, leaves backendRefs out: Linkerd uses the parent Service', () => {
    const r = compileFor('linkerd', traffic('  service: reviews\n  rules: [{timeout: 2s}]'));
    const route = findObject(r.resources, 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
    expect(route.spec.rules[0].backendRefs).toBeUndefined();
  });

  it('routes to other services, with a namespace only when it differs', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - backends: [{service: ratings, port: 8080, weight: 50}, {service: reviews-next, namespace: next, weight: 50}]`),
    );
    expect(findObject(r.resources, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([
      { name: 'ratings', port: 8080, weight: 50 },
      { name: 'reviews-next', namespace: 'next', port: 9080, weight: 50 },
    ]);
  });

  it('maps every kind of match; prefix, presence and regex become anchored RegularExpressions', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - matches:
        - path: {regex: "/r/[0-9]+"}
          method: PUT
          headers:
            - {name: x-a, exact: "1"}
            - {name: x-b, prefix: "v1.2"}
            - {name: x-c, regex: "a|b"}
            - {name: x-d, present: true}
          queryParams:
            - {name: q, exact: x}
            - {name: r, regex: "[0-9]+"}
            - {name: s, present: true}
        - path: {prefix: /api}
        - path: {exact: /health}`),
    );
    expect(findObject(r.resources, 'HTTPRoute').spec.rules[0].matches).toEqual([
      {
        path: { type: 'RegularExpression', value: '^(?:/r/[0-9]+)$' },
        headers: [
          { name: 'x-a', type: 'Exact', value: '1' },
          { name: 'x-b', type: 'RegularExpression', value: '^v1\\.2.*$' },
          { name: 'x-c', type: 'RegularExpression', value: '^(?:a|b)$' },
          { name: 'x-d', type: 'RegularExpression', value: '.*' },
        ],
        queryParams: [
          { name: 'q', type: 'Exact', value: 'x' },
          { name: 'r', type: 'RegularExpression', value: '^(?:[0-9]+)$' },
          { name: 's', type: 'RegularExpression', value: '.*' },
        ],
        method: 'PUT',
      },
      { path: { type: 'PathPrefix', value: '/api' } },
      { path: { type: 'Exact', value: '/health' } },
    ]);
    // The emulations and the element-wise prefix are reported (cells emulated / partial).
    expect(r.diagnostics.filter((d) => d.code === 'AM3004').map((d) => d.feature)).toEqual([
      'match.headers.prefix',
      'match.headers.present',
      'match.queryParams.present',
    ]);
    expect(r.diagnostics.find((d) => d.code === 'AM3003')?.feature).toBe('match.path.prefix');
  });

  it('writes header modifiers as RequestHeaderModifier / ResponseHeaderModifier filters', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - requestHeaders: {set: {x-env: prod}, add: {x-a: "1"}, remove: [x-debug]}
      responseHeaders: {set: {cache-control: no-store}, add: {x-b: "2"}, remove: [server]}`),
    );
    expect(findObject(r.resources, 'HTTPRoute').spec.rules[0].filters).toEqual([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [{ name: 'x-env', value: 'prod' }],
          add: [{ name: 'x-a', value: '1' }],
          remove: ['x-debug'],
        },
      },
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'cache-control', value: 'no-store' }],
          add: [{ name: 'x-b', value: '2' }],
          remove: ['server'],
        },
      },
    ]);
  });
});

describe('Linkerd timeouts and retries: route annotations', () => {
  it('writes timeout.linkerd.io/request and retry.linkerd.io/* in single-unit durations', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - timeout: 1m30s
      retries: {attempts: 3, perTryTimeout: 1500ms, retryOn: [5xx, gateway-error, retriable-4xx, "503", 5xx]}`),
    );
    const route = findObject(r.resources, 'HTTPRoute');
    expect(route.metadata.annotations).toEqual({
      'anymesh.dev/source-policies': 'TrafficPolicy/bookinfo/reviews',
      'retry.linkerd.io/http': '5xx,gateway-error,409,503',
      'retry.linkerd.io/limit': '3',
      'retry.linkerd.io/timeout': '1500ms',
      'timeout.linkerd.io/request': '90s',
    });
    // The Gateway API field too (read by other GAMMA implementations; Linkerd reads the annotation).
    expect(route.spec.rules[0].timeouts).toEqual({ request: '1m30s' });
  });

  it('gives rules with other timeout/retry settings their own HTTPRoute, so annotations apply to them only', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - name: writes
      matches: [{method: POST}]
      retries: {attempts: 2}
    - name: reads
      matches: [{method: GET}]
      timeout: 2s
    - name: rest`),
    );
    const routes = objectsOf(r.resources, 'HTTPRoute');
    expect(routes.map((x) => x.metadata.name)).toEqual(['reviews-reads', 'reviews-rest', 'reviews-writes']);
    expect(
      findObject(r.resources, 'HTTPRoute', 'reviews-writes').metadata.annotations?.['retry.linkerd.io/limit'],
    ).toBe('2');
    expect(
      findObject(r.resources, 'HTTPRoute', 'reviews-reads').metadata.annotations?.['retry.linkerd.io/limit'],
    ).toBeUndefined();
    expect(
      findObject(r.resources, 'HTTPRoute', 'reviews-reads').metadata.annotations?.[
        'timeout.linkerd.io/request'
      ],
    ).toBe('2s');
    expect(
      Object.keys(findObject(r.resources, 'HTTPRoute', 'reviews-rest').metadata.annotations ?? {}),
    ).toEqual(['anymesh.dev/source-policies']);
  });

  it('keeps rules with equal settings in one route, in order', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - {name: a, matches: [{path: {exact: /a}}], timeout: 1s}
    - {name: b, matches: [{path: {exact: /b}}]}
    - {name: c, matches: [{path: {exact: /c}}], timeout: 1s}`),
    );
    const route = findObject(r.resources, 'HTTPRoute', 'reviews-a');
    expect(
      route.spec.rules.map((x: { matches: { path: { value: string } }[] }) => x.matches[0]!.path.value),
    ).toEqual(['/a', '/c']);
  });
});

describe('Linkerd rule order: Gateway API precedence must keep first-match-wins', () => {
  it('refuses a later rule that Linkerd would prefer (AM4203) at the later rule', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - name: api
      matches: [{path: {prefix: /api}}]
    - name: api-v2
      matches: [{path: {prefix: /api/v2}}]`),
    );
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4203')!;
    expect(d.path).toBe('spec.rules[1]');
    expect(d.message).toContain('api-v2');
  });

  it('accepts disjoint matches in any order and specific-first order', () => {
    const disjoint = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - {name: a, matches: [{path: {prefix: /apix}}]}
    - {name: b, matches: [{path: {exact: /api/v2}}]}
    - {name: c, matches: [{method: GET, headers: [{name: x, exact: "1"}]}, {method: POST}]}
    - {name: d, matches: [{method: PUT, headers: [{name: x, exact: "1"}, {name: y, exact: "2"}]}]}`),
    );
    expect(codes(disjoint.diagnostics).filter((c) => c.startsWith('AM42'))).toEqual([]);
    expect(disjoint.ok).toBe(true);
  });

  it('refuses equally specific overlapping rules that land in different routes (AM4204)', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - {name: a, matches: [{headers: [{name: x, exact: "1"}]}], timeout: 1s}
    - {name: b, matches: [{headers: [{name: y, exact: "2"}]}], timeout: 2s}`),
    );
    expect(codes(r.diagnostics)).toContain('AM4204');
    expect(r.ok).toBe(false);
  });

  it('accepts equally specific overlapping rules in the same route (list order breaks the tie)', () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  rules:
    - {name: a, matches: [{headers: [{name: x, exact: "1"}]}]}
    - {name: b, matches: [{headers: [{name: y, exact: "2"}]}]}`),
    );
    expect(r.ok).toBe(true);
  });
});

describe('Linkerd caller-scoped routes (sources.namespace)', () => {
  const scoped = traffic(`  service: reviews
  port: 9080
  sources: [{namespace: mobile}, {namespace: web}]
  rules: [{backends: [{service: reviews-lite}]}]`);

  it('writes a consumer route in each caller namespace, pointing back at the service namespace', () => {
    const r = compileFor('linkerd', scoped);
    const routes = objectsOf(r.resources, 'HTTPRoute');
    expect(routes.map((x) => `${x.metadata.namespace}/${x.metadata.name}`)).toEqual([
      'mobile/bookinfo-reviews',
      'web/bookinfo-reviews',
    ]);
    expect(routes[0]!.spec.parentRefs).toEqual([
      { group: '', kind: 'Service', name: 'reviews', namespace: 'bookinfo', port: 9080 },
    ]);
    expect(routes[0]!.spec.rules[0].backendRefs).toEqual([
      { name: 'reviews-lite', namespace: 'bookinfo', port: 9080 },
    ]);
  });

  it("refuses the service's own namespace as a source: that route would apply to every caller (AM4215)", () => {
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews
  port: 9080
  sources: [{namespace: bookinfo}]
  rules: [{timeout: 1s}]`),
    );
    const d = r.diagnostics.find((x) => x.code === 'AM4215')!;
    expect(d.path).toBe('spec.sources[0].namespace');
    expect(r.ok).toBe(false);
  });

  it('warns that a scoped and an unscoped policy for one service merge by precedence (AM4205)', () => {
    const r = compileFor(
      'linkerd',
      `${scoped}---\n${traffic('  service: reviews\n  port: 9080\n  rules: [{timeout: 3s}]', 'reviews-all')}`,
    );
    expect(r.ok).toBe(true);
    expect(r.diagnostics.find((d) => d.code === 'AM4205')?.level).toBe('warning');
  });

  it('refuses two policies with the same scope for one service (AM4216)', () => {
    const r = compileFor(
      'linkerd',
      `${traffic('  service: reviews\n  port: 9080\n  rules: [{matches: [{path: {prefix: /a}}], timeout: 3s}]', 'a')}---\n${traffic('  service: reviews\n  port: 9080\n  rules: [{matches: [{path: {prefix: /b}}], timeout: 1s}]', 'b')}`,
    );
    expect(codes(r.diagnostics)).toContain('AM4216');
    expect(r.ok).toBe(false);
  });

  it('refuses one version with two label sets across policies', () => {
    const a = traffic(
      '  service: reviews\n  port: 9080\n  versions: {v1: {version: v1}}\n  rules: [{backends: [{version: v1}]}]',
      'a',
    );
    const b = traffic(
      '  service: reviews\n  port: 9080\n  sources: [{namespace: web}]\n  versions: {v1: {release: one}}\n  rules: [{backends: [{version: v1}]}]',
      'b',
    );
    expect(codes(compileFor('linkerd', `${a}---\n${b}`).diagnostics)).toContain('AM3015');
  });
});

describe('Linkerd routing limits and determinism', () => {
  it('refuses more than 8 matches in a rule (the Gateway API v1.1.1 CRD Linkerd bundles)', () => {
    const matches = Array.from({ length: 9 }, (_, i) => `{path: {exact: /p${i}}}`).join(', ');
    const r = compileFor(
      'linkerd',
      traffic(`  service: reviews\n  port: 9080\n  rules: [{matches: [${matches}]}]`),
    );
    expect(codes(r.diagnostics)).toContain('AM4212');
  });

  it('refuses a leaf Service name over 63 characters', () => {
    const long = 'v'.repeat(60);
    const r = compileFor(
      'linkerd',
      traffic(
        `  service: reviews\n  port: 9080\n  versions: {${long}: {version: x}}\n  rules: [{backends: [{version: ${long}}]}]`,
      ),
    );
    expect(codes(r.diagnostics)).toContain('AM4211');
  });

  it('compiles the same input to byte-identical output', () => {
    const a = renderYaml(compileFor('linkerd', canary).resources);
    const b = renderYaml(compileFor('linkerd', canary).resources);
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(100);
  });
});

describe('Linkerd output names', () => {
  it('refuses two policies whose objects would get the same name in one namespace', () => {
    // A consumer route of shop/checkout in namespace mobile is named shop-checkout; so is this one.
    const scoped = traffic(
      '  service: checkout\n  port: 8080\n  sources: [{namespace: mobile}]\n  rules: [{timeout: 1s}]',
      'checkout',
      'shop',
    );
    const local = traffic(
      '  service: cart\n  port: 8080\n  rules: [{timeout: 1s}]',
      'shop-checkout',
      'mobile',
    );
    const r = compileFor('linkerd', `${scoped}---\n${local}`);
    expect(r.diagnostics.find((d) => d.code === 'AM3016')?.message).toContain('mobile/shop-checkout');
    expect(r.ok).toBe(false);
  });
});
