import { describe, expect, it } from 'vitest';
import { access, codes, compileFor, findObject, maybeObject, mtls, objectsOf } from '../../support/kit.js';

const readers = access(`  service: reviews
  selector: {app: reviews}
  action: allow
  from:
    - {namespace: bookinfo, serviceAccount: productpage}
    - {serviceAccount: ratings}
    - {namespace: ops}
  to: [{ports: [9080]}]`);

const ports = { context: { options: { 'linkerd.serverPorts': '9080,8080' } } };

describe('Linkerd access: Server, AuthorizationPolicy, MeshTLSAuthentication', () => {
  it('denies by default on the port with a Server and allows the callers by mTLS identity', () => {
    const r = compileFor('linkerd', readers);
    expect(r.ok).toBe(true);
    const server = findObject(r.resources, 'Server', 'reviews-9080');
    expect(server.apiVersion).toBe('policy.linkerd.io/v1beta3');
    expect(server.spec).toEqual({
      podSelector: { matchLabels: { app: 'reviews' } },
      port: 9080,
      accessPolicy: 'deny',
    });
    const authn = findObject(r.resources, 'MeshTLSAuthentication', 'readers');
    expect(authn.apiVersion).toBe('policy.linkerd.io/v1alpha1');
    expect(authn.spec.identityRefs).toEqual([
      { kind: 'ServiceAccount', name: 'productpage', namespace: 'bookinfo' },
      // A service account without namespace is in the policy's namespace.
      { kind: 'ServiceAccount', name: 'ratings', namespace: 'bookinfo' },
      { kind: 'Namespace', name: 'ops' },
    ]);
    const authz = findObject(r.resources, 'AuthorizationPolicy', 'readers-9080');
    expect(authz.spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'reviews-9080' },
      requiredAuthenticationRefs: [
        { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'readers' },
      ],
    });
    expect(objectsOf(r.resources, 'HTTPRoute')).toEqual([]);
  });

  it('one Server per port', () => {
    const r = compileFor('linkerd', readers.replace('ports: [9080]', 'ports: [9090, 9080]'));
    expect(objectsOf(r.resources, 'Server').map((s) => s.spec.port)).toEqual([9080, 9090]);
    expect(objectsOf(r.resources, 'AuthorizationPolicy').map((a) => a.metadata.name)).toEqual([
      'readers-9080',
      'readers-9090',
    ]);
  });

  it('restricts methods and paths with an inbound policy.linkerd.io HTTPRoute on the Server', () => {
    const r = compileFor(
      'linkerd',
      access(`  service: reviews
  selector: {app: reviews}
  action: allow
  from: [{serviceAccount: productpage}]
  to: [{methods: [GET], paths: ["/reviews/*", "*.json", /health, "*"], ports: [9080]}]`),
    );
    const route = findObject(r.resources, 'HTTPRoute', 'readers-9080-0');
    expect(route.apiVersion).toBe('policy.linkerd.io/v1beta3');
    expect(route.spec.parentRefs).toEqual([
      { group: 'policy.linkerd.io', kind: 'Server', name: 'reviews-9080' },
    ]);
    expect(route.spec.rules).toEqual([
      {
        matches: [
          { path: { type: 'RegularExpression', value: '^(?:/reviews/.*)$' }, method: 'GET' },
          { path: { type: 'RegularExpression', value: '^(?:.*\\.json)$' }, method: 'GET' },
          { path: { type: 'Exact', value: '/health' }, method: 'GET' },
          { method: 'GET' },
        ],
      },
    ]);
    expect(findObject(r.resources, 'AuthorizationPolicy', 'readers-9080-0').spec.targetRef).toEqual({
      group: 'policy.linkerd.io',
      kind: 'HTTPRoute',
      name: 'readers-9080-0',
    });
    // No Server-level allow: no catch-all route; probes and unmatched paths warned about.
    expect(maybeObject(r.resources, 'HTTPRoute', 'reviews-9080-all')).toBeUndefined();
    expect(r.diagnostics.find((d) => d.code === 'AM4210')?.level).toBe('warning');
  });

  it('splits more than 8 path x method matches into several rules (CRD limit)', () => {
    const r = compileFor(
      'linkerd',
      access(`  service: reviews
  action: allow
  from: [{serviceAccount: productpage}]
  to: [{methods: [GET, HEAD, POST], paths: [/a, /b, /c], ports: [9080]}]`),
    );
    const rules = findObject(r.resources, 'HTTPRoute').spec.rules as { matches: unknown[] }[];
    expect(rules.map((x) => x.matches.length)).toEqual([8, 1]);
  });

  it('adds a catch-all route when a Server has both route-level and Server-level allows', () => {
    const l7 = access(
      `  service: reviews
  selector: {app: reviews}
  action: allow
  from: [{serviceAccount: productpage}]
  to: [{methods: [GET], ports: [9080]}]`,
      'getters',
    );
    const r = compileFor('linkerd', `${readers}---\n${l7}`);
    const catchAll = findObject(r.resources, 'HTTPRoute', 'reviews-9080-all');
    expect(catchAll.spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
    // One Server for both policies, traced to both.
    expect(objectsOf(r.resources, 'Server')).toHaveLength(1);
    expect(findObject(r.resources, 'Server').metadata.annotations?.['anymesh.dev/source-policies']).toBe(
      'AccessPolicy/bookinfo/getters,AccessPolicy/bookinfo/readers',
    );
  });

  it('refuses an operation without ports (a Server needs one) with AM4206 at that operation', () => {
    const r = compileFor(
      'linkerd',
      access(`  service: reviews
  action: allow
  from: [{serviceAccount: productpage}]
  to: [{ports: [9080]}, {methods: [GET]}]`),
    );
    const d = r.diagnostics.find((x) => x.code === 'AM4206')!;
    expect(d.path).toBe('spec.to[1]');
    expect(r.ok).toBe(false);
    const none = compileFor(
      'linkerd',
      access('  service: reviews\n  action: allow\n  from: [{namespace: web}]'),
    );
    expect(none.diagnostics.find((x) => x.code === 'AM4206')!.path).toBe('spec.service');
  });

  it('refuses two AccessPolicies selecting one service with different selectors', () => {
    const other = access(
      '  service: reviews\n  selector: {app: reviews-v2}\n  action: allow\n  from: [{namespace: web}]\n  to: [{ports: [9080]}]',
      'other',
    );
    expect(codes(compileFor('linkerd', `${readers}---\n${other}`).diagnostics)).toContain('AM4217');
  });
});

describe('Linkerd mTLS: strict as all-authenticated Servers, permissive as the default', () => {
  it('strict for a service: a Server per option port with accessPolicy all-authenticated', () => {
    const r = compileFor(
      'linkerd',
      mtls('  mode: strict\n  service: reviews\n  selector: {app: reviews}'),
      ports,
    );
    expect(r.ok).toBe(true);
    expect(objectsOf(r.resources, 'Server').map((s) => [s.metadata.name, s.spec])).toEqual([
      [
        'reviews-8080',
        { podSelector: { matchLabels: { app: 'reviews' } }, port: 8080, accessPolicy: 'all-authenticated' },
      ],
      [
        'reviews-9080',
        { podSelector: { matchLabels: { app: 'reviews' } }, port: 9080, accessPolicy: 'all-authenticated' },
      ],
    ]);
    // strict is partial on Linkerd: the warning says what differs from Istio.
    expect(r.diagnostics.find((d) => d.code === 'AM3003')?.feature).toBe('mtls.strict');
  });

  it('strict for a namespace: Servers selecting every pod except services with their own Server', () => {
    const r = compileFor('linkerd', `${mtls('  mode: strict')}---\n${readers}`, ports);
    expect(r.ok).toBe(true);
    expect(findObject(r.resources, 'Server', 'strict-8080').spec.podSelector).toEqual({});
    expect(findObject(r.resources, 'Server', 'strict-9080').spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['reviews'] }] },
      port: 9080,
      accessPolicy: 'all-authenticated',
    });
    expect(findObject(r.resources, 'Server', 'reviews-9080').spec.accessPolicy).toBe('deny');
  });

  it('refuses a namespace Server that cannot leave out a multi-label service selector (AM4208)', () => {
    const multi = readers.replace('selector: {app: reviews}', 'selector: {app: reviews, tier: backend}');
    const r = compileFor('linkerd', `${mtls('  mode: strict')}---\n${multi}`, ports);
    expect(codes(r.diagnostics)).toContain('AM4208');
    expect(r.ok).toBe(false);
  });

  it('keeps the AccessPolicy deny Server where strict asks for the same port, and says so (AM4213)', () => {
    const r = compileFor(
      'linkerd',
      `${mtls('  mode: strict\n  service: reviews\n  selector: {app: reviews}')}---\n${readers}`,
      ports,
    );
    expect(findObject(r.resources, 'Server', 'reviews-9080').spec.accessPolicy).toBe('deny');
    expect(findObject(r.resources, 'Server', 'reviews-8080').spec.accessPolicy).toBe('all-authenticated');
    expect(
      findObject(r.resources, 'Server', 'reviews-9080').metadata.annotations?.['anymesh.dev/source-policies'],
    ).toBe('AccessPolicy/bookinfo/readers,MTLSPolicy/bookinfo/strict');
    expect(r.diagnostics.find((d) => d.code === 'AM4213')?.level).toBe('info');
  });

  it('refuses strict without linkerd.serverPorts (AM4207) and with a bad value (AM4214)', () => {
    const missing = compileFor('linkerd', mtls('  mode: strict'));
    expect(missing.diagnostics.find((d) => d.code === 'AM4207')?.path).toBe('spec.mode');
    expect(missing.ok).toBe(false);
    const bad = compileFor('linkerd', mtls('  mode: strict'), {
      context: { options: { 'linkerd.serverPorts': '80,http' } },
    });
    expect(codes(bad.diagnostics)).toContain('AM4214');
  });

  it('permissive emits nothing: it is the default inbound policy (partial cell warns)', () => {
    const r = compileFor('linkerd', mtls('  mode: permissive', 'open'));
    expect(r.ok).toBe(true);
    expect(r.resources).toEqual([]);
    expect(r.diagnostics.find((d) => d.code === 'AM3003')?.feature).toBe('mtls.permissive');
  });

  it('refuses two strict policies for one namespace', () => {
    const r = compileFor(
      'linkerd',
      `${mtls('  mode: strict', 'a')}---\n${mtls('  mode: strict', 'b')}`,
      ports,
    );
    expect(codes(r.diagnostics)).toContain('AM3014');
  });
});
