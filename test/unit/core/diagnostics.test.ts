/** The diagnostic catalogue, formatting and ordering. */
import { describe, expect, it } from 'vitest';
import { allMessages } from '../../../src/adapters/index.js';
import {
  CORE_MESSAGES,
  type Diagnostic,
  diag,
  formatDiagnostic,
  formatTemplate,
  hasErrors,
  relevel,
  sortDiagnostics,
} from '../../../src/core/diagnostics.js';
import { formatPath } from '../../../src/core/loader/positions.js';

describe('catalogue', () => {
  it('codes are unique across the core and every adapter, and well formed', () => {
    const all = allMessages();
    const codes = all.map((m) => m.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const m of all) {
      expect(m.code).toMatch(/^AM[1-5]\d{3}$/);
      expect(['error', 'warning', 'info']).toContain(m.level);
      expect(m.template.length).toBeGreaterThan(5);
    }
  });

  it('core codes sit in their ranges: AM1 input, AM2 model, AM3 compilation, AM5 cluster', () => {
    const input = [
      'FileNotFound',
      'NoInput',
      'BinaryInput',
      'InputTooLarge',
      'YamlSyntax',
      'YamlAliasLimit',
      'YamlTooDeep',
      'NotAnObject',
      'UnknownApiVersion',
      'UnknownKind',
      'TooManyDocuments',
      'DuplicateKey',
      // Native input read by `anymesh import`.
      'NotKubernetesObject',
      'NativeKindSkipped',
      'NativeFieldNotImported',
      'NativeObjectRedefined',
      'NoNativeInput',
    ];
    for (const [name, m] of Object.entries(CORE_MESSAGES)) {
      if (input.includes(name)) expect(m.code[2], name).toBe('1');
      else expect(['2', '3', '5'], `${name} ${m.code}`).toContain(m.code[2]);
    }
  });

  it('adapter codes are in AM4xxx', () => {
    const core = new Set(Object.values(CORE_MESSAGES).map((m) => m.code));
    for (const m of allMessages().filter((m) => !core.has(m.code))) expect(m.code).toMatch(/^AM4\d{3}$/);
  });
});

describe('formatTemplate', () => {
  it('fills known placeholders and leaves unknown ones visible', () => {
    expect(formatTemplate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(formatTemplate('{a}{a}', { a: 'x' })).toBe('xx');
  });

  it('does not read inherited properties as parameters', () => {
    expect(formatTemplate('{constructor} {toString}', {})).toBe('{constructor} {toString}');
  });

  it('reads braces as the `{word}` replace it stands for: nested, empty, unclosed, at the ends', () => {
    const params = { a: 'A', b_2: '{a}', '': 'empty' };
    const replaced = (t: string) =>
      t.replace(/\{(\w+)\}/g, (whole, k: string) =>
        Object.hasOwn(params, k) ? String(params[k as 'a']) : whole,
      );
    for (const t of [
      '{a}',
      'x{a}y',
      '{{a}}',
      '{a',
      'a}',
      '{}',
      '{ a}',
      '{b_2}{a}',
      '{c}{a}{',
      '',
      '[{version: {a}}]',
    ]) {
      expect(formatTemplate(t, params), t).toBe(replaced(t));
    }
  });
});

describe('formatDiagnostic', () => {
  const d = diag(
    'WeightsSum',
    { sum: 90 },
    {
      location: { file: 'a.yaml', line: 9, col: 11 },
      path: 'spec.rules[0].backends',
    },
  );

  it('file:line:col: level CODE: path: message', () => {
    expect(formatDiagnostic(d)).toMatch(/^a\.yaml:9:11: error AM2010: spec\.rules\[0\]\.backends: .*90/);
  });

  it('a position that is not known (line 0) prints the file alone', () => {
    const whole = diag('BinaryInput', {}, { location: { file: 'x.bin', line: 0, col: 0 } });
    expect(formatDiagnostic(whole)).toMatch(/^x\.bin: error AM1003: /);
  });

  it('keeps its location (read back whole, and in JSON) and has none when given none', () => {
    expect(d.location).toEqual({ file: 'a.yaml', line: 9, col: 11 });
    expect(JSON.parse(JSON.stringify(d)).location).toEqual({ file: 'a.yaml', line: 9, col: 11 });
    expect(relevel(d, 'warning').location).toEqual(d.location);
    const none = diag('NoInput', { what: 'x' });
    expect(none.location).toBeUndefined();
    expect(Object.keys(JSON.parse(JSON.stringify(none)))).toEqual(['code', 'level', 'message']);
  });

  it('no location and no path', () => {
    expect(formatDiagnostic(diag('NoInput', { what: 'x' }))).toMatch(/^error AM1002: /);
  });

  it('carries level, policy and feature from the context', () => {
    const w = diag(
      'Degraded',
      { feature: 'fault.delay', mesh: 'Linkerd', why: '--allow-degraded', reason: 'no fault injection' },
      { policy: 'TrafficPolicy/a/b', feature: 'fault.delay' },
    );
    expect(w).toMatchObject({
      code: 'AM3002',
      level: 'warning',
      policy: 'TrafficPolicy/a/b',
      feature: 'fault.delay',
    });
    expect(hasErrors([w])).toBe(false);
    expect(hasErrors([w, d])).toBe(true);
    expect(hasErrors([])).toBe(false);
  });
});

describe('sortDiagnostics', () => {
  const at = (file: string, line: number, col: number, code = 'AM2001', path = ''): Diagnostic => ({
    code,
    level: 'error',
    message: '',
    location: { file, line, col },
    path,
  });

  it('orders by file, line, column, code, then path, and does not modify its input', () => {
    const input = [
      at('b.yaml', 1, 1),
      at('a.yaml', 10, 1),
      at('a.yaml', 2, 5),
      at('a.yaml', 2, 3, 'AM2005'),
      at('a.yaml', 2, 3, 'AM2001', 'z'),
      at('a.yaml', 2, 3, 'AM2001', 'a'),
    ];
    const copy = [...input];
    const sorted = sortDiagnostics(input);
    expect(input).toEqual(copy);
    expect(
      sorted.map((d) => `${d.location?.file}:${d.location?.line}:${d.location?.col} ${d.code} ${d.path}`),
    ).toEqual([
      'a.yaml:2:3 AM2001 a',
      'a.yaml:2:3 AM2001 z',
      'a.yaml:2:3 AM2005 ',
      'a.yaml:2:5 AM2001 ',
      'a.yaml:10:1 AM2001 ',
      'b.yaml:1:1 AM2001 ',
    ]);
  });

  it('diagnostics without a location come first and keep a stable order', () => {
    const none = { code: 'AM3010', level: 'warning', message: '' } as const;
    const sorted = sortDiagnostics([at('a.yaml', 1, 1), none]);
    expect(sorted[0]).toBe(none);
  });
});

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['spec', 'rules', 0, 'backends', 1, 'weight'], 'spec.rules[0].backends[1].weight'],
    [['spec', 'selector', 'app.kubernetes.io/name'], 'spec.selector["app.kubernetes.io/name"]'],
    [['spec', 'requestHeaders', 'set', 'x-env'], 'spec.requestHeaders.set.x-env'],
    [['<<'], '["<<"]'],
  ] as const)('%j is %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
