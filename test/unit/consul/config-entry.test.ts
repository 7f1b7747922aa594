import { describe, expect, it } from 'vitest';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import type { CompileContext, KubeObject } from '../../../src/core/adapter.js';
import { access, compileFor, mtls, traffic } from '../../support/kit.js';

type Entry = Record<string, any>;

const ctx = (options: Record<string, string>): CompileContext => ({
  clusterDomain: 'cluster.local',
  trustDomain: 'cluster.local',
  options,
});

const policies = `${traffic(`  service: reviews
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
    - matches: [{path: {prefix: /api}}]
      backends: [{version: v1, weight: 60}, {version: v2, weight: 40}]
      requestHeaders: {set: {X-Env: prod}}
    - backends: [{version: v1}]`)}---
${access('  service: reviews\n  action: allow\n  from: [{serviceAccount: web}]\n  to: [{methods: [GET]}]', 'reviews-access')}---
${mtls('  mode: permissive\n  service: reviews', 'mtls')}`;

function compiled(options: Record<string, string> = {}): KubeObject[] {
  const r = compileFor('consul', policies, { options: options });
  expect(r.ok).toBe(true);
  return r.resources;
}

describe('Consul config entries (consul.format=config-entry)', () => {
  it('leaves rendering to the standard YAML/JSON List unless asked', () => {
    expect(consulAdapter.render(compiled(), ctx({}), 'yaml')).toBeUndefined();
    expect(consulAdapter.render(compiled(), ctx({ 'consul.format': 'crd' }), 'json')).toBeUndefined();
  });

  it('renders a JSON array of entries in write order, PascalCase, keeping user map keys', () => {
    const out = consulAdapter.render(compiled(), ctx({ 'consul.format': 'config-entry' }), 'json')!;
    const entries = JSON.parse(out) as Entry[];
    expect(entries.map((e) => `${e.Kind}/${e.Name ?? '-'}`)).toEqual([
      // The mesh entry is a singleton without a Name field (Consul refuses one).
      'mesh/-',
      'service-defaults/reviews',
      'service-defaults/reviews-split-rule-0',
      'service-resolver/reviews',
      'service-splitter/reviews-split-rule-0',
      'service-router/reviews',
      'service-intentions/reviews',
    ]);
    const byKind = (k: string) => entries.find((e) => e.Kind === k)!;
    expect(byKind('mesh')).toMatchObject({ AllowEnablingPermissiveMutualTLS: true });
    expect(byKind('service-defaults')).toMatchObject({ Protocol: 'http', MutualTLSMode: 'permissive' });
    expect(byKind('service-resolver').Subsets).toEqual({
      v1: { Filter: 'Service.Meta.version == "v1"' },
      v2: { Filter: 'Service.Meta.version == "v2"' },
    });
    expect(byKind('service-router').Routes[0]).toEqual({
      Match: { HTTP: { PathPrefix: '/api' } },
      Destination: { Service: 'reviews-split-rule-0', RequestHeaders: { Set: { 'X-Env': 'prod' } } },
    });
    const intentions = byKind('service-intentions');
    expect(intentions.Destination).toBeUndefined();
    expect(intentions.Sources[0].Permissions[0]).toEqual({ Action: 'allow', HTTP: { Methods: ['GET'] } });
    expect(intentions.Meta).toEqual({
      'managed-by': 'anymesh',
      'source-policies': 'AccessPolicy/bookinfo/reviews-access',
    });
    for (const e of entries) expect(e.Namespace).toBeUndefined();
    expect(out.endsWith(']\n')).toBe(true);
  });

  it('writes Namespace on Enterprise, except for the mesh-wide kinds', () => {
    const options = { 'consul.format': 'config-entry', 'consul.enterprise': 'true' };
    const entries = JSON.parse(consulAdapter.render(compiled(options), ctx(options), 'json')!) as Entry[];
    for (const e of entries) expect(e.Namespace).toBe(e.Kind === 'mesh' ? undefined : 'bookinfo');
  });

  it('renders HCL for yaml, one chunk per entry opened by a "# --- kind name" line', () => {
    const hcl = consulAdapter.render(compiled(), ctx({ 'consul.format': 'config-entry' }), 'yaml')!;
    const chunks = hcl.split(/^# --- /m).filter(Boolean);
    expect(chunks.length).toBe(7);
    expect(chunks[5]).toBe(`service-router reviews
Kind = "service-router"
Name = "reviews"
Meta = {
  "managed-by" = "anymesh"
  "source-policies" = "TrafficPolicy/bookinfo/reviews"
}
Routes = [
  {
    Match = {
      HTTP = {
        PathPrefix = "/api"
      }
    }
    Destination = {
      Service = "reviews-split-rule-0"
      RequestHeaders = {
        Set = {
          "X-Env" = "prod"
        }
      }
    }
  },
  {
    Destination = {
      Service = "reviews"
      ServiceSubset = "v1"
    }
  },
]

`);
  });

  it('is deterministic', () => {
    const a = consulAdapter.render(compiled(), ctx({ 'consul.format': 'config-entry' }), 'json');
    expect(consulAdapter.render(compiled(), ctx({ 'consul.format': 'config-entry' }), 'json')).toBe(a);
  });

  it('refuses unknown option values (AM4301)', () => {
    const bad: Record<string, string>[] = [
      { 'consul.format': 'hcl' },
      { 'consul.enterprise': 'yes' },
      { 'consul.globalNamespace': 'Bad_NS' },
    ];
    for (const o of bad) {
      const r = compileFor('consul', policies, { options: o });
      expect(r.ok).toBe(false);
      expect(r.diagnostics.map((d) => d.code)).toContain('AM4301');
    }
  });
});
