/**
 * Editors: a policy file whose first line is `# yaml-language-server: $schema=<path>` is checked
 * against the published schema. This test does what the YAML language server does: reads the
 * modeline, resolves the path relative to the file, and validates every document with ajv.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function modelineSchema(text: string, file: string): string {
  const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
  expect(m, 'modeline').not.toBeNull();
  return resolve(dirname(file), m![1]!);
}

function validator(schemaPath: string) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
}

const POLICY = `# yaml-language-server: $schema=../schemas/all.json
apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: reviews, namespace: bookinfo}
spec:
  service: reviews
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
    - matches: [{path: {prefix: /api}, method: GET}]
      backends: [{version: v1, weight: 90}, {version: v2, weight: 10}]
      retries: {attempts: 3, perTryTimeout: 1s}
---
apiVersion: anymesh.dev/v1alpha1
kind: MTLSPolicy
metadata: {name: strict, namespace: bookinfo}
spec: {mode: strict}
`;

describe('editor schema (yaml-language-server modeline)', () => {
  // As if the file were examples/reviews.yaml in the repository.
  const file = join(ROOT, 'examples', 'reviews.yaml');

  it('a policy file with the modeline validates with the published schemas/all.json', () => {
    const schemaPath = modelineSchema(POLICY, file);
    expect(schemaPath).toBe(join(ROOT, 'schemas', 'all.json'));
    const validate = validator(schemaPath);
    const docs = parseAllDocuments(POLICY).map((d) => d.toJS() as unknown);
    expect(docs).toHaveLength(2);
    for (const d of docs) expect(validate(d), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the same schema flags mistakes an editor should underline', () => {
    const validate = validator(join(ROOT, 'schemas', 'all.json'));
    const bad = parseAllDocuments(
      POLICY.replace('perTryTimeout: 1s', 'perTryTimout: 1s').replace('mode: strict', 'mode: strictest'),
    ).map((d) => d.toJS() as unknown);
    for (const d of bad) expect(validate(d)).toBe(false);
    expect(
      validate({ apiVersion: 'anymesh.dev/v1alpha1', kind: 'Nope', metadata: { name: 'x' }, spec: {} }),
    ).toBe(false);
  });

  it('every example validates with all.json, as an editor would show it', () => {
    const validate = validator(join(ROOT, 'schemas', 'all.json'));
    const dir = join(ROOT, 'examples');
    for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
      for (const d of parseAllDocuments(readFileSync(join(dir, name), 'utf8'))) {
        const value = d.toJS() as unknown;
        if (value === null) continue;
        expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });

  it('the package ships schemas/ at node_modules/anymesh/schemas/all.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      files: string[];
    };
    expect(pkg.name).toBe('anymesh');
    expect(pkg.files).toContain('schemas');
    const all = JSON.parse(readFileSync(join(ROOT, 'schemas', 'all.json'), 'utf8')) as { $id: string };
    expect(all.$id).toMatch(/\/all\.json$/);
  });
});
