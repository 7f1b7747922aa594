/**
 * `anymesh status [--mesh M]... [-o table|wide|json]`: which meshes run on the cluster, installed by
 * anymesh, by Helm or by hand; versions; healthy or not (and why); namespaces in the mesh; anymesh
 * policies applied to it. Exit 0 (also when nothing is installed), 2 usage.
 */
import type { Command } from 'commander';
import { MESHES } from '../../adapters/index.js';
import { KubeApiError } from '../../cluster/client.js';
import { discoverMeshes, type MeshStatus } from '../../cluster/discovery.js';
import { HelmError, HelmMissingError, type HelmTarget, helmBinary } from '../../cluster/install/helm.js';
import { addConfigFlags, type ConfigFlags, connectConfigFlags, helmTarget } from '../config-flags.js';
import { EXIT } from '../exit.js';
import { installComponents } from '../install-targets.js';
import { collect, outputOption, parseFormat, parseMeshes } from '../options.js';
import type { Io } from '../output.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['table', 'wide', 'json'] as const;

/**
 * Errors from the cluster or helm are failures (exit 1) with their message, not internal errors:
 * a missing helm, a helm that failed, an API error that survived the retries, an unreachable server.
 */
export function reportClusterError(io: Io, e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (
    e instanceof HelmMissingError ||
    e instanceof HelmError ||
    e instanceof KubeApiError ||
    (typeof code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|CERT_|DEPTH_ZERO|UNABLE_TO_VERIFY|ERR_TLS)/.test(
        code,
      ))
  ) {
    io.err(`error: ${e instanceof KubeApiError ? e.describe() : (e as Error).message}\n`);
    return true;
  }
  return false;
}

/**
 * `istio: 60 objects in bookinfo from 30 policies (DestinationRule 30, VirtualService 30)`: one line
 * per mesh and namespace, however many objects a cluster holds (-o wide lists each object).
 */
export function policySummaryLines(s: MeshStatus): string[] {
  const byNamespace = new Map<string, MeshStatus['policies'][number][]>();
  for (const p of s.policies) {
    const ns = p.namespace ?? '(cluster)';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p]);
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ns, ps]) => {
      const kinds = new Map<string, number>();
      for (const p of ps) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
      const sources = new Set(ps.flatMap((p) => p.sources));
      const kindText = [...kinds.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      const from = sources.size ? ` from ${sources.size} polic${sources.size === 1 ? 'y' : 'ies'}` : '';
      return `${s.mesh}: ${ps.length} object${ps.length === 1 ? '' : 's'} in ${ns}${from} (${kindText})`;
    });
}

export function table(statuses: readonly MeshStatus[], wide = false): string {
  const rows = [
    ['MESH', 'INSTALLED', 'BY', 'NAMESPACE', 'VERSION', 'HEALTHY', 'MESHED NAMESPACES', 'POLICIES'],
  ];
  for (const s of statuses) {
    rows.push([
      s.mesh,
      s.installed ? 'yes' : 'no',
      s.installed ? s.installedBy : '-',
      s.namespace ?? '-',
      s.version ?? '-',
      s.installed ? (s.healthy ? 'yes' : 'no') : '-',
      s.namespaces.join(',') || '-',
      String(s.policies.length),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  for (const s of statuses) {
    if (s.installed && s.profile) lines.push(`${s.mesh}: install profile ${s.profile}`);
    const bad = s.components.filter((c) => !c.ready);
    for (const c of bad)
      lines.push(
        `${s.mesh}: not ready: ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}: ${c.reason}`,
      );
    if (!wide) lines.push(...policySummaryLines(s));
    else
      for (const p of s.policies)
        lines.push(
          `${s.mesh}: policy ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}${p.sources.length ? ` <- ${p.sources.join(',')}` : ''}`,
        );
    for (const [ns, mode] of Object.entries(s.dataplanes ?? {}))
      if (mode !== 'none') lines.push(`${s.mesh}: namespace ${ns}: ${mode}`);
    for (const w of s.waypoints ?? []) lines.push(`${s.mesh}: waypoint ${w.namespace}/${w.name}`);
    for (const n of s.notes) if (s.installed || s.crds.present > 0) lines.push(`${s.mesh}: note: ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerStatus(program: Command, io: Io, done: (code: number) => void): void {
  addConfigFlags(
    program
      .command('status')
      .description(
        'which meshes are installed, their versions and health, meshed namespaces and anymesh policies',
      ),
  )
    .option('--mesh <mesh>', 'only this mesh; repeatable', collect)
    .addOption(
      outputOption(
        OUTPUT_FORMATS,
        'table',
        'table (a line per mesh and namespace), wide (also every policy object) or json',
      ),
    )
    .action(async (flags: ConfigFlags & { mesh?: string[]; output?: string }) => {
      const format = parseFormat(flags.output, OUTPUT_FORMATS, 'table');
      const meshes = flags.mesh?.length ? parseMeshes(flags.mesh) : [...MESHES];
      const target = await connectConfigFlags(flags);
      let helm: HelmTarget | undefined;
      try {
        helmBinary();
        helm = helmTarget(flags, target.context);
      } catch {
        helm = undefined; // release records are read from their Secrets instead
      }
      // Components (the anymesh controller) are listed after the meshes, unless --mesh narrows it.
      const components = flags.mesh?.length ? [] : installComponents();
      const all = await discoverMeshes(target.config, [...meshes, ...components], helm ? { helm } : {});
      const statuses = all.slice(0, meshes.length);
      if (format === 'json')
        io.out(
          `${JSON.stringify(
            {
              context: target.context,
              server: target.server,
              meshes: statuses,
              components: all.slice(meshes.length),
            },
            null,
            2,
          )}\n`,
        );
      else io.out(table(all, format === 'wide'));
      done(EXIT.ok);
    });
}
