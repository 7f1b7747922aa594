/**
 * `anymesh compile -f PATH... --mesh MESH [-o yaml|json] [--allow-degraded] [--out-dir DIR]`:
 * resources to stdout (or one file per resource under --out-dir), diagnostics to stderr. Nothing
 * is written when anything fails.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MESH_IDS } from '../../adapters/index.js';
import { DEFAULT_CONTEXT, type KubeObject } from '../../core/adapter.js';
import { compileFiles } from '../../core/pipeline.js';
import { render, renderYaml } from '../../core/render.js';
import { EXIT } from '../exit.js';
import {
  addCompileOptions,
  addFileOption,
  type CompileFlags,
  compileContext,
  parseFormat,
  parseMesh,
  requireFiles,
} from '../options.js';
import { type Io, nothingWritten, printDiagnostics } from '../output.js';

interface CompileOpts extends CompileFlags {
  filename?: string[];
  mesh?: string;
  output?: string;
  outDir?: string;
}

/** `<kind>-<namespace>-<name>.yaml`, lower-case: stable names for GitOps repositories. */
export function resourceFileName(r: KubeObject): string {
  return `${[r.kind, r.metadata.namespace ?? '_cluster', r.metadata.name].join('-').toLowerCase()}.yaml`;
}

/**
 * Writes every file or none: all files go into a staging folder beside the target first, so a
 * failure while writing leaves the target untouched. A new target is the staging folder renamed
 * (atomic); into an existing one, the files are then moved in.
 */
export function writeOutDir(dir: string, resources: readonly KubeObject[]): void {
  const staging = `${dir.replace(/\/+$/, '')}.anymesh-tmp-${process.pid}`;
  try {
    mkdirSync(staging, { recursive: true });
    for (const r of resources) writeFileSync(join(staging, resourceFileName(r)), renderYaml([r]));
    if (!existsSync(dir)) {
      mkdirSync(dirname(resolve(dir)), { recursive: true });
      renameSync(staging, dir);
      return;
    }
    for (const r of resources) renameSync(join(staging, resourceFileName(r)), join(dir, resourceFileName(r)));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function registerCompile(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('compile')
    .description('compile policies into the native resources of one mesh');
  addCompileOptions(addFileOption(cmd))
    .option('--mesh <mesh>', `the target mesh: ${MESH_IDS.join(', ')}`)
    .option('-o, --output <format>', 'yaml (multi-document) or json (a v1 List)', 'yaml')
    .option('--out-dir <dir>', 'write one YAML file per resource into this directory instead of stdout')
    .action((opts: CompileOpts) => {
      const adapter = parseMesh(opts.mesh);
      const format = parseFormat(opts.output, ['yaml', 'json'] as const, 'yaml');
      const context = compileContext(opts, adapter);
      const r = compileFiles(
        requireFiles(opts),
        adapter,
        { allowDegraded: opts.allowDegraded === true, context },
        () => io.stdin(),
      );
      printDiagnostics(io, r.diagnostics);
      if (!r.ok) {
        io.err(nothingWritten(r.diagnostics));
        return done(EXIT.failed);
      }
      if (opts.outDir) {
        writeOutDir(opts.outDir, r.resources);
        io.err(`wrote ${r.resources.length} files to ${opts.outDir}\n`);
      } else {
        const ctx = { ...DEFAULT_CONTEXT, ...context };
        io.out(adapter.render?.(r.resources, ctx, format) ?? render(r.resources, format));
      }
      done(EXIT.ok);
    });
}
