// Helpers for the controller's integration tests (not a test file itself): the built CLI run as a
// child process (`anymesh controller`, as a Deployment would run it, so it can be killed), policies
// created through the API server, and polling until a condition holds.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { KubeConfig, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { KubeApiError, type KubeClient } from '../../src/cluster/client.js';
import { policyCrds } from '../../src/controller/crds.js';
import { installCrds } from './harness.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** dist/ as `npm test` builds it before the tiers run; built here too so this file runs alone. */
export function buildOnce(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

export const installPolicyCrds = (kc: KubeConfig) =>
  installCrds(kc, policyCrds() as unknown as V1CustomResourceDefinition[]);

export interface RunningController {
  readonly proc: ChildProcess;
  log(): string;
  /** Port of /healthz and /readyz, and of /metrics. */
  ports(): Promise<{ health: number; metrics: number }>;
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startController(args: string[]): RunningController {
  const proc = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'anymesh.js'),
      'controller',
      '--metrics-bind-address',
      '127.0.0.1:0',
      '--health-probe-bind-address',
      '127.0.0.1:0',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stderr!.on('data', (c: Buffer) => {
    log += c.toString();
    if (process.env.ANYMESH_TEST_CONTROLLER_LOG) process.stderr.write(c);
  });
  proc.stdout!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  return {
    proc,
    log: () => log,
    ports: async () => {
      await until(
        () => /health probes on port \d+/.test(log) && /metrics on port \d+/.test(log),
        20_000,
        'ports',
      );
      return {
        health: Number(/health probes on port (\d+)/.exec(log)![1]),
        metrics: Number(/metrics on port (\d+)/.exec(log)![1]),
      };
    },
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Polls `probe` every 250 ms until it answers truthy; throws with `what` after `timeoutMs`. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface PolicyObj {
  metadata: { name: string; namespace: string; generation: number; resourceVersion: string; uid: string };
  spec: Record<string, unknown>;
  status?: {
    mesh?: string;
    observedGeneration?: number;
    conditions?: {
      type: string;
      status: string;
      reason: string;
      message: string;
      observedGeneration: number;
    }[];
    objects?: { kind: string; name: string }[];
  };
}

export const tpPath = (ns: string, name = '') =>
  `/apis/anymesh.dev/v1alpha1/namespaces/${ns}/trafficpolicies${name ? `/${name}` : ''}`;

export async function getOrUndefined<T>(c: KubeClient, path: string): Promise<T | undefined> {
  try {
    return (await c.request<T>('GET', path)).body;
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return undefined;
    throw err;
  }
}

export function conditionOf(p: PolicyObj | undefined, type: string) {
  return p?.status?.conditions?.find((c) => c.type === type);
}

/** The policy once its status is about its current generation and the condition has this status. */
export async function waitCondition(
  c: KubeClient,
  ns: string,
  name: string,
  type: string,
  status: string,
  timeoutMs = 30_000,
): Promise<PolicyObj> {
  return until(
    async () => {
      const p = await getOrUndefined<PolicyObj>(c, tpPath(ns, name));
      const cond = conditionOf(p, type);
      return p && p.status?.observedGeneration === p.metadata.generation && cond?.status === status
        ? p
        : undefined;
    },
    timeoutMs,
    `${ns}/${name} ${type}=${status}`,
  );
}

export function trafficPolicyObject(ns: string, name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'anymesh.dev/v1alpha1',
    kind: 'TrafficPolicy',
    metadata: { name, namespace: ns },
    spec,
  };
}

/** The 90/10 canary of the README, with a timeout. */
export function canary(service: string, timeout = '3s'): Record<string, unknown> {
  return {
    service,
    port: 9080,
    versions: { v1: { version: 'v1' }, v2: { version: 'v2' } },
    rules: [
      {
        name: 'all',
        backends: [
          { version: 'v1', weight: 90 },
          { version: 'v2', weight: 10 },
        ],
        timeout,
      },
    ],
  };
}
