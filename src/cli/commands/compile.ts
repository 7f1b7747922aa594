/**
 * `anymesh compile -f PATH... --mesh MESH [-o yaml|json] [--allow-degraded] [--out-dir DIR]`:
 * resources to stdout (or one file per resource under --out-dir), diagnostics to stderr. Nothing
 * is written when anything fails.
 */
import type { Command } from 'commander';
import { MESH_IDS } from '../../adapters/index.js';
import { compileForCluster } from '../../cluster/compile.js';
import { defaultNamespaceFor, KubeConfigError } from '../../cluster/kubeconfig.js';
import { DEFAULT_CONTEXT, type KubeObject } from '../../core/adapter.js';
import { renderChunks, renderYaml } from '../../core/render.js';
import { EXIT, UsageError } from '../exit.js';
import { checkNamespaceFlag } from '../flag-values.js';
import {
  addCompileOptions,
  addFileOption,
  type CompileFlags,
  compileContext,
  outputOption,
  parseFormat,
  parseMesh,
  requireFiles,
} from '../options.js';
import { checkOutDirTarget, OutDirError, type OutFile, writeOutDir } from '../out-dir.js';
import { type Io, nameLine, nothingWritten, printDiagnostics, skippedNote } from '../output.js';

/** The -o formats, declared once for the help, the check and shell completion. */
const OUTPUT_FORMATS = ['yaml', 'json', 'name'] as const;

interface CompileOpts extends CompileFlags {
  filename?: string[];
  mesh?: string;
  output?: string;
  outDir?: string;
  kustomization?: boolean;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  strictKinds?: boolean;
}

/** `<kind>-<namespace>-<name>.yaml` (or `.json`), lower-case: stable names for GitOps repositories. */
export function resourceFileName(r: KubeObject, format: 'yaml' | 'json' = 'yaml'): string {
  return `${[r.kind, r.metadata.namespace ?? '_cluster', r.metadata.name].join('-').toLowerCase()}.${format}`;
}

/** One file per resource in the chosen format, and a kustomization.yaml naming them when asked. */
export function outDirFiles(
  resources: readonly KubeObject[],
  format: 'yaml' | 'json',
  kustomization: boolean,
): OutFile[] {
  const files = resources.map((r) => ({
    name: resourceFileName(r, format),
    content: format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderYaml([r]),
  }));
  if (kustomization) {
    // kustomize's Kustomization (kustomize.config.k8s.io/v1beta1): `resources` lists the files.
    const list = files.map((f) => `  - ${f.name}`).join('\n');
    files.push({
      name: 'kustomization.yaml',
      content: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${list}\n`,
    });
  }
  return files;
}

export function registerCompile(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('compile')
    .description('compile policies into the native resources of one mesh');
  addCompileOptions(addFileOption(cmd))
    .option('--mesh <mesh>', `the target mesh: ${MESH_IDS.join(', ')}`)
    .addOption(
      outputOption(
        OUTPUT_FORMATS,
        'yaml',
        'yaml (multi-document), json (a v1 List) or name (kind.group/name)',
      ),
    )
    .option(
      '--out-dir <dir>',
      'write one file per resource (in the -o format) into this directory instead of stdout, replacing what anymesh wrote there before',
    )
    .option('--kustomization', 'with --out-dir: also write a kustomization.yaml listing the files')
    .option(
      '-n, --namespace <ns>',
      "namespace for policies that name none (default: the kubeconfig context's, as apply, else default)",
    )
    .option(
      '--kubeconfig <file>',
      'the kubeconfig whose context gives the default namespace (nothing is sent)',
    )
    .option('--context <name>', 'the kubeconfig context whose namespace is the default')
    .action((opts: CompileOpts) => {
      const adapter = parseMesh(opts.mesh);
      const output = parseFormat(opts.output, OUTPUT_FORMATS, 'yaml');
      if (output === 'name' && opts.outDir !== undefined)
        throw new UsageError('-o name prints names; --out-dir takes yaml or json');
      const format = output === 'name' ? 'yaml' : output;
      if (opts.kustomization && opts.outDir === undefined)
        throw new UsageError('--kustomization needs --out-dir');
      if (opts.outDir !== undefined) checkOutDirTarget(opts.outDir);
      const context = compileContext(opts, adapter);
      let defaultNamespace: string;
      try {
        checkNamespaceFlag(opts.namespace);
        defaultNamespace = defaultNamespaceFor(opts);
      } catch (e) {
        if (e instanceof KubeConfigError) throw new UsageError(e.message);
        throw e;
      }
      const r = compileForCluster(
        requireFiles(opts),
        adapter,
        {
          allowDegraded: opts.allowDegraded === true,
          context,
          defaultNamespace,
          ...(opts.strictKinds ? { strictKinds: true } : {}),
        },
        () => io.stdin(),
      );
      printDiagnostics(io, r.diagnostics);
      io.err(skippedNote(r.skipped));
      if (!r.ok) {
        io.err(nothingWritten(r.diagnostics));
        return done(EXIT.failed);
      }
      if (opts.outDir !== undefined) {
        let w: ReturnType<typeof writeOutDir>;
        try {
          w = writeOutDir(opts.outDir, outDirFiles(r.resources, format, opts.kustomization === true));
        } catch (e) {
          if (!(e instanceof OutDirError)) throw e;
          io.err(`error: ${e.message}\nnothing was written\n`);
          return done(EXIT.failed);
        }
        const stale = w.removed.length ? `, removed ${w.removed.length} stale (${w.removed.join(', ')})` : '';
        io.err(`wrote ${w.written} files to ${opts.outDir}${stale}\n`);
      } else if (output === 'name') {
        for (const res of r.resources)
          io.out(nameLine({ apiVersion: res.apiVersion, kind: res.kind, name: res.metadata.name }));
      } else {
        const ctx = { ...DEFAULT_CONTEXT, ...context };
        const own = adapter.render?.(r.resources, ctx, format);
        if (own !== undefined) io.out(own);
        // Written as it is made: the whole output of 100,000 policies is a few hundred MB.
        else for (const chunk of renderChunks(r.resources, format)) io.out(chunk);
      }
      done(EXIT.ok);
    });
}
