// Helpers for the apply / diff / prune / delete integration tests (not a test file itself): run the
// CLI in-process, make namespaces, write policy files, read what is on the cluster.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, inject } from 'vitest';
import { KubeApiError, KubeClient } from '../../src/cluster/client.js';
import { planObjects, prepare } from '../../src/cluster/plan.js';
import type { Session } from '../../src/cluster/session.js';
import { type KubeObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/core/adapter.js';
import { runCli } from '../support/cli.js';
import { attachCluster, type ClusterHandle, kubeRequest } from './harness.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `anymesh ARGS` in this process, capturing both streams. */
export const cli = (args: string[], opts: { interactive?: boolean } = {}): Promise<CliResult> =>
  runCli(args, opts);

/** `cli` with `-o json`, parsed. */
export async function cliJson<T = ApplyJson>(
  args: string[],
): Promise<{ code: number; json: T; err: string }> {
  const r = await cli([...args, '-o', 'json']);
  try {
    return { code: r.code, json: JSON.parse(r.out) as T, err: r.err };
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.out}\n--- stderr:\n${r.err}`);
  }
}

export interface ApplyJson {
  ok: boolean;
  summary: Record<string, number>;
  objects: { kind: string; namespace?: string; name: string; action: string; written: boolean }[];
  requests: { writes: number; dryRuns: number; reads: number; retries: number };
  applySet: { name: string; namespace: string; id: string; parent: string };
  diagnostics: { code: string; level: string; message: string }[];
}

export function client(kc: KubeConfig): KubeClient {
  return new KubeClient(kc, { retry: { retries: 1, minTimeoutMs: 50 } });
}

export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await client(kc).request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.code === 409)) throw err;
  }
}

/**
 * This test file's own namespace on the suite's shared cluster (made before its tests run), the
 * cluster's handle, and `base`: the flags every Istio command of these tests takes.
 */
export function sharedClusterNamespace(ns: string): {
  kc: string;
  cluster: ClusterHandle;
  base: string[];
} {
  const kc = inject('kubeconfig');
  const cluster = attachCluster(kc);
  beforeAll(() => ensureNamespace(cluster.kubeConfig, ns));
  return { kc, cluster, base: ['--mesh', 'istio', '--kubeconfig', kc, '-n', ns] };
}

/** Writes YAML documents into a fresh temp dir; returns the file path. */
export function policyFile(name: string, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'anymesh-it-'));
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** A TrafficPolicy with a 90/10 split: Istio makes a VirtualService and a DestinationRule of it. */
export function trafficPolicy(namespace: string, service: string, timeout = '3s'): string {
  return `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${service}, namespace: ${namespace}}
spec:
  service: ${service}
  port: 9080
  versions:
    v1: {version: v1}
    v2: {version: v2}
  rules:
    - name: all
      backends:
        - {version: v1, weight: 90}
        - {version: v2, weight: 10}
      timeout: ${timeout}
---
`;
}

export interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: { manager: string; operation: string }[];
}

/** Objects of an Istio networking kind in a namespace: name -> metadata. */
export async function listIstio(
  kc: KubeConfig,
  plural: 'virtualservices' | 'destinationrules',
  ns: string,
): Promise<Map<string, Meta>> {
  const r = await client(kc).request<{ items: { metadata: Meta }[] }>(
    'GET',
    `/apis/networking.istio.io/v1/namespaces/${ns}/${plural}`,
  );
  return new Map(r.body.items.map((i) => [i.metadata.name, i.metadata]));
}

export async function get<T = { metadata: Meta; spec?: Record<string, unknown> }>(
  kc: KubeConfig,
  path: string,
): Promise<T | undefined> {
  try {
    return (await client(kc).request<T>('GET', path)).body;
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return undefined;
    throw err;
  }
}

export const vsPath = (ns: string, name: string) =>
  `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/${name}`;
export const drPath = (ns: string, name: string) =>
  `/apis/networking.istio.io/v1/namespaces/${ns}/destinationrules/${name}`;

/**
 * The user's Services that metadata-only objects (Istio's waypoint binding: a Service holding only
 * `istio.io/use-waypoint`; Linkerd's failure accrual: only its annotations; no managed-by label) expect to exist. anymesh never creates
 * them (server-side apply of the partial object would fail for want of ports), so the test does, as
 * the user's deployment would have.
 */
export async function ensureUserServices(c: ClusterHandle, resources: readonly KubeObject[]): Promise<void> {
  for (const o of resources) {
    if (o.kind !== 'Service' || o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) continue;
    const ns = o.metadata.namespace ?? 'default';
    await kubeRequest(c.kubeConfig, 'POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: o.metadata.name, namespace: ns },
      spec: { selector: { app: o.metadata.name }, ports: [{ port: 80 }] },
    }).catch((e: { code?: number }) => {
      if (e.code !== 409) throw e; // it exists already
    });
  }
}

/**
 * Server-side dry-run of `resources` as `anymesh apply --dry-run=server` sends them, their
 * namespaces and the user's Services they expect made first: how many objects the API server
 * accepted, and each rejection (prepare's or the server's) as `CODE message`.
 */
export async function dryRunAccepts(
  c: ClusterHandle,
  s: Session,
  resources: readonly KubeObject[],
  mesh: string,
): Promise<{ accepted: number; rejections: string[] }> {
  for (const ns of new Set(resources.map((o) => o.metadata.namespace).filter((n): n is string => !!n)))
    await ensureNamespace(c.kubeConfig, ns);
  await ensureUserServices(c, resources);
  const prepared = await prepare(s, resources, { mesh });
  const planned = await planObjects(s, prepared.targets, {
    force: false,
    serverDryRun: true,
    concurrency: 8,
  });
  return {
    accepted: planned.planned.length,
    rejections: [...prepared.diagnostics, ...planned.diagnostics].map((d) => `${d.code} ${d.message}`),
  };
}
