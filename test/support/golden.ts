/**
 * Golden files: reviewed expected output under test/golden/<mesh>/<case>.yaml. Run with
 * UPDATE_GOLDEN=1 to rewrite them, then review the diff before committing (never regenerate blindly).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden');

function goldenPath(mesh: string, caseName: string): string {
  return join(GOLDEN_DIR, mesh, `${caseName}.yaml`);
}

export function expectGolden(mesh: string, caseName: string, actual: string): void {
  const file = goldenPath(mesh, caseName);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1, then review it`);
  }
  expect(actual, `output differs from ${file} (UPDATE_GOLDEN=1 rewrites it; review the diff)`).toBe(
    readFileSync(file, 'utf8'),
  );
}
