/**
 * `anymesh install MESH [--version V] [--namespace N] [--set k=v]... [-f values.yaml]...
 *   [--profile P] [--from mesh.yaml] [--timeout 5m] [--render[=manifests|flux|argocd]] [--repo URL]`, and
 * `anymesh install anymesh --mesh M` (the controller's chart, shipped with anymesh, for mesh M):
 * preflight, then the mesh's official Helm charts in order, each waited for; or, with --render, the
 * manifests / Flux / Argo CD documents on stdout. A MeshInstallation document comes in with --from
 * (-f is Helm's values flag, as users know it from helm). Exit 0 installed and ready, 1 refused or not
 * ready (the report says what and why), 2 usage.
 */
import type { Command } from 'commander';
import { MESHES } from '../../adapters/index.js';
import { isInstallable, profileIds } from '../../cluster/install/catalogue.js';
import { type InstallResult, install } from '../../cluster/install/install.js';
import { makePlan, PlanError } from '../../cluster/install/plan.js';
import {
  RENDER_FORMATS,
  type RenderFormat,
  renderGitOps,
  renderManifests,
} from '../../cluster/install/render.js';
import { parseDuration } from '../../core/model/duration.js';
import type { MeshInstallation } from '../../core/model/schema.js';
import { loadPolicies } from '../../core/pipeline.js';
import { addConfigFlags, type ConfigFlags, connectConfigFlags, helmTarget } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { installComponents, installTargetIds } from '../install-targets.js';
import { choiceOption, collect, outputOption, parseFormat, parseMesh } from '../options.js';
import { type Io, printDiagnostics } from '../output.js';
import { missingRequiredValues, missingValuesMessage } from '../required-values.js';
import { reportClusterError } from './status.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['text', 'json'] as const;

interface InstallFlags extends ConfigFlags {
  version?: string;
  profile?: string;
  set?: string[];
  values?: string[];
  from?: string;
  timeout?: string;
  render?: string | boolean;
  repo?: string;
  allowOtherMesh?: boolean;
  force?: boolean;
  rollback?: boolean;
  output?: string;
  mesh?: string;
}

/** `Istio: sidecar, ambient; default sidecar`: the profiles of each mesh that has some, from the registry. */
function profilesHelp(): string {
  return MESHES.filter(isInstallable)
    .filter((m) => m.install.defaultProfile)
    .map(
      (m) =>
        `${m.displayName}: ${profileIds(m, m.install.versions[0]!).join(' or ')}, default ${m.install.defaultProfile!.id}`,
    )
    .join('; ');
}

function parseTimeout(text: string | undefined): number {
  const d = parseDuration(text ?? '5m');
  if ('error' in d) throw new UsageError(`--timeout ${text}: ${d.error}`);
  return d.ms;
}

function loadInstallation(io: Io, file: string): MeshInstallation | undefined {
  const r = loadPolicies([file], () => io.stdin());
  printDiagnostics(io, r.diagnostics);
  if (!r.ok) return undefined;
  const docs = r.policies.filter((p) => p.policy.kind === 'MeshInstallation');
  if (docs.length !== 1)
    throw new UsageError(`--from ${file}: expected one MeshInstallation document, found ${docs.length}`);
  return docs[0]!.policy as MeshInstallation;
}

function printInstallReport(io: Io, result: InstallResult): void {
  // Coded diagnostics (AM505x): each failed preflight check, each component not ready, a refusal,
  // a rollback. Then one summary line.
  printDiagnostics(io, result.diagnostics);
  if (result.ok)
    io.err(
      `${result.mesh} ${result.version}${result.profile ? ` (profile ${result.profile})` : ''} is installed and ready in ${result.namespace}\n`,
    );
  else if (result.refused)
    io.err(`${result.mesh} ${result.version}: nothing installed (${result.refused})\n`);
  else io.err(`${result.mesh} ${result.version} is not ready in ${result.namespace}\n`);
}

export function registerInstall(program: Command, io: Io, done: (code: number) => void): void {
  addConfigFlags(
    program
      .command('install [mesh]')
      .description(
        'install or upgrade a mesh with its official Helm charts (preflight, progress, readiness), or render them for GitOps',
      ),
    { namespaceHelp: "the control plane's namespace (default: the mesh's own)" },
  )
    .option(
      '--version <version>',
      "the mesh version (default: the catalogue's newest); a new version upgrades",
    )
    .option('--profile <profile>', `an install profile of the mesh (${profilesHelp()})`)
    .option('--set <key=value>', 'a Helm value for every chart of the mesh; repeatable', collect)
    .option('-f, --values <file>', 'a Helm values file for every chart of the mesh; repeatable', collect)
    .option(
      '--from <file>',
      'a MeshInstallation document (mesh, version, namespace, values); flags override it',
    )
    .option('--timeout <duration>', 'how long to wait for everything to be ready', '5m')
    .addOption(
      choiceOption(
        '--render [format]',
        'print instead of installing: manifests (helm template), flux or argocd',
        RENDER_FORMATS,
      ),
    )
    .option('--repo <url>', "chart repository to use instead of the mesh's official one (a mirror)")
    .option('--allow-other-mesh', 'install even though another mesh runs on the cluster')
    .option('--force', 'upgrade even if it removes CRDs that anymesh-managed objects still use')
    .option('--no-rollback', 'keep a chart that did not become ready (default: roll it back)')
    .addOption(outputOption(OUTPUT_FORMATS, 'text', 'text or json (the report on stdout)'))
    .option(
      '--mesh <mesh>',
      'with `install anymesh`: the mesh the controller compiles for (chart value mesh; RBAC for its kinds only)',
    )
    .action(async (meshArg: string | undefined, flags: InstallFlags) => {
      const format = parseFormat(flags.output, OUTPUT_FORMATS, 'text');
      let doc: MeshInstallation | undefined;
      if (flags.from) {
        doc = loadInstallation(io, flags.from);
        if (!doc) return done(EXIT.failed);
        if (meshArg && meshArg.toLowerCase() !== doc.spec.mesh) {
          throw new UsageError(`mesh ${meshArg} given, but ${flags.from} installs ${doc.spec.mesh}`);
        }
      }
      const mesh = meshArg ?? doc?.spec.mesh;
      if (!mesh)
        throw new UsageError(
          `which mesh? anymesh install ${installTargetIds().join('|')}, or --from mesh.yaml`,
        );
      const component = installComponents().find((c) => c.id === mesh.toLowerCase());
      if (flags.mesh && !component)
        throw new UsageError(`--mesh ${flags.mesh}: only for a component such as \`install anymesh\``);
      // The controller's mesh is a chart value; --set and values files still override it.
      const meshValue = flags.mesh ? { mesh: parseMesh(flags.mesh).id } : {};
      const version = flags.version ?? doc?.spec.version;
      const namespace = flags.namespace ?? doc?.spec.namespace;
      let plan: ReturnType<typeof makePlan>;
      try {
        plan = makePlan(
          {
            mesh,
            ...(version ? { version } : {}),
            ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
            ...(namespace ? { namespace } : {}),
            values: { ...meshValue, ...((doc?.spec.values as Record<string, unknown> | undefined) ?? {}) },
            valuesFiles: flags.values ?? [],
            set: flags.set ?? [],
            ...(flags.repo ? { repo: flags.repo } : {}),
          },
          MESHES,
          installComponents(),
        );
      } catch (e) {
        if (e instanceof PlanError) throw new UsageError(e.message);
        throw e;
      }
      const timeoutMs = parseTimeout(flags.timeout);
      if (plan.release.note) io.err(`note: ${plan.release.note}\n`);

      if (flags.render !== undefined && flags.render !== false) {
        const rf = (flags.render === true ? 'manifests' : flags.render) as RenderFormat;
        if (!RENDER_FORMATS.includes(rf))
          throw new UsageError(`--render=${flags.render}: use ${RENDER_FORMATS.join(', ')}`);
        if (rf !== 'manifests' && plan.release.charts.some((c) => c.path))
          throw new UsageError(
            `--render=${rf}: ${plan.mesh.displayName}'s chart ships inside the anymesh package, in no chart repository a GitOps tool could read; use --render=manifests`,
          );
        const missing = await missingRequiredValues(plan);
        if (missing.length) {
          io.err(missingValuesMessage(plan.mesh.id, rf, missing));
          return done(EXIT.failed);
        }
        if (rf === 'manifests') {
          try {
            io.out(await renderManifests(plan, helmTarget(flags, undefined)));
          } catch (e) {
            if (reportClusterError(io, e)) return done(EXIT.failed);
            throw e;
          }
        } else io.out(await renderGitOps(plan, rf));
        return done(EXIT.ok);
      }

      const target = await connectConfigFlags(flags, { namespaced: false });
      let result: InstallResult;
      try {
        result = await install(target.config, plan, {
          helm: helmTarget(flags, target.context),
          timeoutMs,
          ...(flags.allowOtherMesh ? { allowOtherMesh: true } : {}),
          ...(flags.force ? { force: true } : {}),
          ...(flags.rollback === false ? { noRollback: true } : {}),
          progress: (l) => io.err(`${l}\n`),
        });
      } catch (e) {
        if (reportClusterError(io, e)) return done(EXIT.failed);
        throw e;
      }
      printInstallReport(io, result);
      if (format === 'json') io.out(`${JSON.stringify(result, null, 2)}\n`);
      done(result.ok ? EXIT.ok : EXIT.failed);
    });
}
