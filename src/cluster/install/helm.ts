/**
 * The `helm` CLI, run as a child process: anymesh installs through the meshes' official charts the
 * way users already do, and releases stay visible to `helm list`. Binary: $ANYMESH_HELM, else `helm`
 * on PATH. Connection flags follow the kubeconfig target anymesh itself uses.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface HelmTarget {
  /** --kubeconfig (absent: helm reads $KUBECONFIG / ~/.kube/config as anymesh did). */
  readonly kubeconfig?: string;
  /** --kube-context */
  readonly context?: string;
  /** Extra environment (HELM_CACHE_HOME etc.). */
  readonly env?: NodeJS.ProcessEnv;
}

export class HelmError extends Error {
  readonly stderr: string;
  readonly code: number | string | undefined;
  constructor(args: readonly string[], stderr: string, code: number | string | undefined) {
    super(`helm ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || `exit ${code}`}`);
    this.stderr = stderr;
    this.code = code;
  }
}

export class HelmMissingError extends Error {}

export function helmBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANYMESH_HELM) {
    if (!existsSync(env.ANYMESH_HELM))
      throw new HelmMissingError(`ANYMESH_HELM=${env.ANYMESH_HELM}: no such file`);
    return env.ANYMESH_HELM;
  }
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'helm'))) return join(dir, 'helm');
  }
  throw new HelmMissingError(
    'helm is not installed: install Helm 3.8+ (https://helm.sh/docs/intro/install/) or set ANYMESH_HELM to its path',
  );
}

export async function helm(
  target: HelmTarget,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const bin = helmBinary({ ...process.env, ...target.env });
  const full = [
    ...args,
    ...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []),
    ...(target.context ? ['--kube-context', target.context] : []),
  ];
  return new Promise((done, fail) => {
    execFile(
      bin,
      full,
      { env: { ...process.env, ...target.env }, maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 0 },
      (err, stdout, stderr) => {
        if (err) fail(new HelmError(full, String(stderr), (err as NodeJS.ErrnoException).code));
        else done(String(stdout));
      },
    );
  });
}

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  /** `<chart>-<version>` */
  chart: string;
  app_version: string;
}

export async function listReleases(target: HelmTarget): Promise<HelmRelease[]> {
  const out = await helm(target, ['list', '--all-namespaces', '--all', '-o', 'json']);
  return JSON.parse(out || '[]') as HelmRelease[];
}

/** Splits `istiod-1.30.3` into chart name and version (chart names may contain dashes). */
export function splitChart(chart: string): { name: string; version: string } {
  const m = /^(.*)-(v?\d+\.\d+\.\d+.*)$/.exec(chart);
  return m ? { name: m[1]!, version: m[2]! } : { name: chart, version: '' };
}
