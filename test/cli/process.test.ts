/**
 * The process around the CLI, through the installed entry point: a closed pipe ends it quietly
 * (EPIPE), and a Node older than package.json's engines gets one sentence and exit 2.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit.js';
import { ensureBuilt, ROOT, runBin, spawnBin } from '../support/bin.js';

beforeAll(() => ensureBuilt(), 120_000);

describe('bin/anymesh.js', () => {
  it('a reader that closes the pipe early (| head -1): exit 0, no stack trace', async () => {
    const child = spawnBin(['capabilities', '-o', 'json']);
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    // Read the first chunk, then go away, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('on a Node older than engines: one sentence, exit 2, before any command runs', () => {
    const preload = join(ROOT, 'test', 'fixtures', 'process', 'old-node.mjs');
    const refused = runBin(['status'], { env: { ...process.env, NODE_OPTIONS: `--import=${preload}` } });
    expect(refused.status).toBe(EXIT.usage);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^error: anymesh needs Node >=24 \(package.json "engines"\); this is Node 20\.11\.0/,
    );
    expect(String(refused.stderr).split('\n').filter(Boolean)).toHaveLength(1);
  });
});
