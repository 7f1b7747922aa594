/**
 * The HCL 1 reader of `consul config write` files: values as hashicorp/hcl v1 decodes them
 * (blocks as objects, a repeated key as a list, heredocs, comments, escapes) with the position of
 * every key and list element, and the first syntax error at its line and column.
 */
import { describe, expect, it } from 'vitest';
import { locateIn, parseHcl } from '../../../src/adapters/consul/import-hcl.js';

const value = (text: string) => {
  const r = parseHcl(text);
  if (!r.ok) throw new Error(`${r.at.line}:${r.at.col} ${r.reason}`);
  return r.value;
};
const error = (text: string) => {
  const r = parseHcl(text);
  return r.ok ? 'parsed' : `${r.at.line}:${r.at.col} ${r.reason}`;
};

describe('HCL 1 for config entries', () => {
  it('reads attributes, blocks, lists, objects, numbers and booleans', () => {
    expect(
      value(`Kind = "service-router" # a comment
// another
/* and a
   block comment */
Routes = [
  {
    Match { HTTP { PathPrefix = "/a", Methods = ["GET", "POST",] } }
    Destination {
      NumRetries = 3
      RetryOnConnectFailure = true
      Weight = -1.5
    }
  },
]
Meta = { "x-y" = "z", k: "v" }
`),
    ).toEqual({
      Kind: 'service-router',
      Routes: [
        {
          Match: { HTTP: { PathPrefix: '/a', Methods: ['GET', 'POST'] } },
          Destination: { NumRetries: 3, RetryOnConnectFailure: true, Weight: -1.5 },
        },
      ],
      Meta: { 'x-y': 'z', k: 'v' },
    });
  });

  it('makes a key given twice a list (repeated blocks), keeping each position', () => {
    const r = parseHcl(
      'Sources {\n  Name = "a"\n}\nSources {\n  Name = "b"\n}\nSources {\n  Name = "c"\n}\n',
    );
    expect(r.ok && r.value).toEqual({ Sources: [{ Name: 'a' }, { Name: 'b' }, { Name: 'c' }] });
    if (!r.ok) return;
    expect(locateIn(r.positions, ['Sources', 0, 'Name'])).toEqual({ line: 2, col: 3 });
    expect(locateIn(r.positions, ['Sources', 1, 'Name'])).toEqual({ line: 5, col: 3 });
    expect(locateIn(r.positions, ['Sources', 2])).toEqual({ line: 7, col: 1 });
  });

  it('reads escapes, interpolation text and heredocs (the marker may follow blanks)', () => {
    // `${...}` is HCL interpolation text here, not a JavaScript placeholder.
    const interpolation = ['$', '{var.x["k"]}'].join('');
    expect(
      value(
        'A = "q\\"\\\\\\n\\u0041"\nB = "' +
          interpolation +
          '"\nC = <<EOF\n  {"a": 1}\nEOF\nD = <<-EOT\n    x\n      y\n    EOT\nE = <<EOL\nz\n  EOL\n',
      ),
    ).toEqual({ A: 'q"\\\nA', B: interpolation, C: '  {"a": 1}\n', D: 'x\n  y\n', E: 'z\n' });
  });

  it('positions list elements and nested keys', () => {
    const r = parseHcl('Routes = [\n  { Match = 1 },\n  { Match = 2 },\n]\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(locateIn(r.positions, ['Routes', 1])).toEqual({ line: 3, col: 3 });
    expect(locateIn(r.positions, ['Routes', 1, 'Match'])).toEqual({ line: 3, col: 5 });
    expect(locateIn(r.positions, ['Routes', 1, 'Match', 'deeper'])).toEqual({ line: 3, col: 5 });
  });

  it('reports the first syntax error where it is', () => {
    expect(error('Name = "web\n')).toBe('1:8 a string that is never closed (a " before the line ends)');
    expect(error('Kind = "x"\nRoutes = [1, 2\n')).toBe('3:1 a [ that is never closed');
    expect(error('A {\n  B = 1\n')).toBe('3:1 a { that is never closed');
    expect(error('A = 1\n}\n')).toBe('2:1 a } with no { before it');
    expect(error('A B\n')).toBe('1:3 = or { after A');
    expect(error('A = nope\n')).toBe('1:5 a value (string, number, bool, list or object), not "nope"');
    expect(error('A = <<EOF\nx\n')).toBe('3:1 a heredoc never closed by EOF');
    expect(error('/* open')).toBe('1:1 a /* comment that is never closed');
    expect(error(`A = ${'['.repeat(100)}`)).toMatch(/nesting deeper than 64 levels/);
  });
});
