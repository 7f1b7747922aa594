/**
 * The table of bad inputs: each small YAML document must produce exactly the listed diagnostics
 * (code, field path, line:col) — no fewer (every problem is reported) and no more (no noise).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../../src/core/pipeline.js';
import {
  API,
  access,
  expectedRows,
  load,
  mtls,
  policy,
  positionOf,
  rows,
  traffic,
  type Where,
} from '../../support/kit.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'bad');

interface Case {
  readonly name: string;
  readonly text: string;
  readonly expect: readonly (readonly [code: string, path: string, where: Where])[];
  /** Words the message must contain: data such as a did-you-mean suggestion, never wording. */
  readonly mentions?: readonly string[];
}

const SVC = '  service: reviews\n';
const V12 = '  versions: {v1: {version: v1}, v2: {version: v2}}\n';

const CASES: Case[] = [
  // --- unknown fields, with did-you-mean -------------------------------------------------------
  {
    name: 'unknown top-level field next to a missing spec',
    text: `apiVersion: anymesh.dev/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: a}\nspecs: {}\n`,
    expect: [
      ['AM2001', '', '1:1'],
      ['AM2002', 'specs', 'specs'],
    ],
    mentions: ['spec?'],
  },
  {
    name: 'misspelled rule field suggests the right one',
    text: traffic(`${SVC}  rules: [{timeuot: 1s}]\n`),
    expect: [['AM2002', 'spec.rules[0].timeuot', 'timeuot']],
    mentions: ['timeout'],
  },
  {
    name: 'misspelled metadata.name: unknown field and missing name',
    text: policy('TrafficPolicy', `${SVC}  rules: [{timeout: 1s}]\n`, '{nmae: reviews}'),
    expect: [
      ['AM2001', 'metadata', '{nmae'],
      ['AM2002', 'metadata.nmae', 'nmae'],
    ],
    mentions: ['name'],
  },
  {
    name: 'YAML merge keys are expanded (as kubectl does); a merged unknown field is placed at the alias',
    text: traffic(`${SVC}  rules:\n    - &r {timeout: 1s, colour: red}\n    - <<: *r\n      name: x\n`),
    expect: [
      ['AM2002', 'spec.rules[0].colour', 'colour'],
      ['AM2002', 'spec.rules[1].colour', '*r'],
    ],
  },
  {
    name: 'a mirror backend has no weight',
    text: traffic(
      `${SVC}  versions: {v2: {version: v2}}\n  rules:\n    - mirror: {backend: {version: v2, weight: 5}}\n`,
    ),
    expect: [['AM2002', 'spec.rules[0].mirror.backend.weight', 'weight']],
  },
  // --- wrong types -------------------------------------------------------------------------------
  {
    name: 'service is a number',
    text: traffic(`  service: 3\n  rules: [{timeout: 1s}]\n`),
    expect: [['AM2003', 'spec.service', '3']],
  },
  {
    name: 'spec is a list',
    text: traffic('  []\n').replace('spec:\n  []', 'spec: []'),
    expect: [['AM2003', 'spec', '[]']],
  },
  {
    name: 'rules is a mapping',
    text: traffic(`${SVC}  rules: {timeout: 1s}\n`),
    expect: [['AM2003', 'spec.rules', '{timeout']],
  },
  {
    name: 'timeout is a number, not a duration string',
    text: traffic(`${SVC}  rules: [{timeout: 3}]\n`),
    expect: [['AM2003', 'spec.rules[0].timeout', '3}']],
  },
  {
    name: 'weights are integers',
    text: traffic(`${SVC}  rules: [{backends: [{service: a, weight: 50.5}, {service: b, weight: 49.5}]}]\n`),
    expect: [
      ['AM2003', 'spec.rules[0].backends[0].weight', '50.5'],
      ['AM2003', 'spec.rules[0].backends[1].weight', '49.5'],
    ],
  },
  {
    name: 'an empty rule entry is null, not a mapping',
    text: traffic(`${SVC}  rules:\n    -\n`),
    expect: [['AM2003', 'spec.rules[0]', '7:6']],
  },
  // --- missing required fields ------------------------------------------------------------------
  {
    name: 'no metadata at all (this used to throw a TypeError)',
    text: `apiVersion: anymesh.dev/v1alpha1\nkind: TrafficPolicy\nspec: {service: a, rules: [{timeout: 1s}]}\n`,
    expect: [['AM2001', '', '1:1']],
  },
  {
    name: 'metadata: null (this used to throw a TypeError)',
    text: `apiVersion: anymesh.dev/v1alpha1\nkind: TrafficPolicy\nmetadata: null\nspec: {service: a, rules: [{timeout: 1s}]}\n`,
    expect: [['AM2003', 'metadata', 'null']],
  },
  {
    name: 'spec without service',
    text: traffic(`  rules: [{timeout: 1s}]\n`),
    expect: [['AM2001', 'spec', 'rules:']],
  },
  {
    name: 'retries without attempts',
    text: traffic(`${SVC}  rules: [{retries: {perTryTimeout: 1s}}]\n`),
    expect: [['AM2001', 'spec.rules[0].retries', '{perTryTimeout']],
  },
  {
    name: 'AccessPolicy without action and with an empty from',
    text: access(`${SVC}  from: []\n`),
    expect: [
      ['AM2001', 'spec', 'service: reviews'],
      ['AM2007', 'spec.from', '[]'],
    ],
  },
  {
    name: 'rules must not be empty',
    text: traffic(`${SVC}  rules: []\n`),
    expect: [['AM2007', 'spec.rules', '[]']],
  },
  // --- weights and versions ---------------------------------------------------------------------
  {
    name: 'weights summing to 110',
    text: traffic(
      `${SVC}${V12}  rules:\n    - backends:\n        - {version: v1, weight: 90}\n        - {version: v2, weight: 20}\n`,
    ),
    expect: [['AM2010', 'spec.rules[0].backends', '- {version: v1']],
  },
  // The boundaries either side of 100: one off is as wrong as ten off.
  {
    name: 'weights summing to 99 (one below the boundary)',
    text: traffic(
      `${SVC}${V12}  rules:\n    - backends:\n        - {version: v1, weight: 49}\n        - {version: v2, weight: 50}\n`,
    ),
    expect: [['AM2010', 'spec.rules[0].backends', '- {version: v1']],
  },
  {
    name: 'weights summing to 101 (one above the boundary)',
    text: traffic(
      `${SVC}${V12}  rules:\n    - backends:\n        - {version: v1, weight: 51}\n        - {version: v2, weight: 50}\n`,
    ),
    expect: [['AM2010', 'spec.rules[0].backends', '- {version: v1']],
  },
  {
    name: 'one backend with weight 99',
    text: traffic(`${SVC}  rules: [{backends: [{service: a, weight: 99}]}]\n`),
    expect: [['AM2010', 'spec.rules[0].backends[0].weight', '99']],
  },
  {
    // Above 100 a single weight is out of the schema's range before any sum is taken.
    name: 'one backend with weight 101 (out of range)',
    text: traffic(`${SVC}  rules: [{backends: [{service: a, weight: 101}]}]\n`),
    expect: [['AM2005', 'spec.rules[0].backends[0].weight', '101']],
  },
  {
    name: 'one backend with weight 50',
    text: traffic(`${SVC}  rules: [{backends: [{service: a, weight: 50}]}]\n`),
    expect: [['AM2010', 'spec.rules[0].backends[0].weight', '50']],
  },
  {
    name: 'weight missing with several backends',
    text: traffic(
      `${SVC}${V12}  rules:\n    - backends:\n        - {version: v1, weight: 90}\n        - {version: v2}\n`,
    ),
    expect: [['AM2011', 'spec.rules[0].backends[1]', ['{version: v2}', 2]]],
  },
  {
    name: 'a backend version that spec.versions does not define',
    text: traffic(`${SVC}${V12}  rules: [{backends: [{version: v3}]}]\n`),
    expect: [['AM2012', 'spec.rules[0].backends[0].version', 'v3']],
    mentions: ['v1, v2'],
  },
  {
    name: 'an inherited object property is not a version',
    text: traffic(`${SVC}  rules: [{backends: [{version: constructor}]}]\n`),
    expect: [['AM2012', 'spec.rules[0].backends[0].version', 'constructor']],
  },
  {
    name: 'a backend with both version and service',
    text: traffic(
      `${SVC}  versions: {v1: {version: v1}}\n  rules: [{backends: [{version: v1, service: x}]}]\n`,
    ),
    expect: [['AM2018', 'spec.rules[0].backends[0]', '{version: v1, service']],
  },
  {
    name: 'the same backend twice',
    text: traffic(`${SVC}  rules: [{backends: [{service: x, weight: 50}, {service: x, weight: 50}]}]\n`),
    expect: [['AM2025', 'spec.rules[0].backends[1]', ['{service: x', 2]]],
  },
  // --- durations --------------------------------------------------------------------------------
  {
    name: 'duration without a unit ("3")',
    text: traffic(`${SVC}  rules: [{timeout: "3"}]\n`),
    expect: [['AM2013', 'spec.rules[0].timeout', '"3"']],
  },
  {
    name: 'duration in days ("1d")',
    text: traffic(`${SVC}  rules: [{timeout: 1d}]\n`),
    expect: [['AM2013', 'spec.rules[0].timeout', '1d']],
  },
  {
    name: 'negative duration ("-1s")',
    text: traffic(`${SVC}  rules: [{timeout: -1s}]\n`),
    expect: [['AM2013', 'spec.rules[0].timeout', '-1s']],
  },
  {
    name: 'zero timeout ("0ms") where at least 1ms applies',
    text: traffic(`${SVC}  rules: [{timeout: 0ms}]\n`),
    expect: [['AM2028', 'spec.rules[0].timeout', '0ms']],
  },
  {
    name: 'zero perTryTimeout and backoff base',
    text: traffic(`${SVC}  rules: [{retries: {attempts: 2, perTryTimeout: 0s, backoff: {base: 0ms}}}]\n`),
    expect: [
      ['AM2028', 'spec.rules[0].retries.perTryTimeout', '0s'],
      ['AM2028', 'spec.rules[0].retries.backoff.base', '0ms'],
    ],
  },
  {
    name: 'sub-millisecond duration',
    text: traffic(`${SVC}  rules: [{timeout: 1.0005s}]\n`),
    expect: [['AM2013', 'spec.rules[0].timeout', '1.0005s']],
  },
  {
    name: 'a duration longer than any mesh can hold',
    text: traffic(`${SVC}  rules: [{timeout: 99999999999999999999h}]\n`),
    expect: [['AM2013', 'spec.rules[0].timeout', '9999']],
  },
  {
    name: 'backoff max shorter than base',
    text: traffic(`${SVC}  rules: [{retries: {attempts: 2, backoff: {base: 1s, max: 100ms}}}]\n`),
    expect: [['AM2026', 'spec.rules[0].retries.backoff.max', '100ms']],
  },
  // --- regular expressions (RE2, not JavaScript) -------------------------------------------------
  {
    name: 'lookbehind (valid in JavaScript, not in RE2)',
    text: traffic(`${SVC}  rules: [{matches: [{path: {regex: "(?<=a)b"}}]}]\n`),
    expect: [['AM2014', 'spec.rules[0].matches[0].path.regex', '"(?<=']],
  },
  {
    name: 'backreference (valid in JavaScript, not in RE2)',
    text: traffic(`${SVC}  rules: [{matches: [{path: {regex: '(a)\\1'}}]}]\n`),
    expect: [['AM2014', 'spec.rules[0].matches[0].path.regex', "'(a)"]],
  },
  {
    name: 'unbalanced parenthesis',
    text: traffic(`${SVC}  rules: [{matches: [{path: {regex: "(ab"}}]}]\n`),
    expect: [['AM2014', 'spec.rules[0].matches[0].path.regex', '"(ab"']],
  },
  {
    name: 'bad header and query regexes and a bad CORS origin regex, all reported',
    text: traffic(
      `${SVC}  rules:\n    - matches: [{headers: [{name: x, regex: "[z-a]"}], queryParams: [{name: q, regex: "a**"}]}]\n      cors: {allowOrigins: [{regex: "(?!x)"}]}\n`,
    ),
    expect: [
      ['AM2014', 'spec.rules[0].matches[0].headers[0].regex', '"[z-a]"'],
      ['AM2014', 'spec.rules[0].matches[0].queryParams[0].regex', '"a**"'],
      ['AM2014', 'spec.rules[0].cors.allowOrigins[0].regex', '"(?!x)"'],
    ],
  },
  // --- header names, DNS names, label syntax -----------------------------------------------------
  {
    name: 'header name with a space',
    text: traffic(`${SVC}  rules: [{matches: [{headers: [{name: "end user", exact: jason}]}]}]\n`),
    expect: [['AM2015', 'spec.rules[0].matches[0].headers[0].name', '"end user"']],
  },
  {
    name: 'header name with a colon (a key of requestHeaders.set)',
    text: traffic(`${SVC}  rules: [{requestHeaders: {set: {"x:a": b}}}]\n`),
    expect: [['AM2015', 'spec.rules[0].requestHeaders.set["x:a"]', '"x:a"']],
  },
  {
    name: 'bad names in remove lists and CORS header lists',
    text: traffic(
      `${SVC}  rules: [{responseHeaders: {remove: ["a b"]}, cors: {allowOrigins: [{exact: o}], allowHeaders: ["c(d"]}}]\n`,
    ),
    expect: [
      ['AM2015', 'spec.rules[0].responseHeaders.remove[0]', '"a b"'],
      ['AM2015', 'spec.rules[0].cors.allowHeaders[0]', '"c(d"'],
    ],
  },
  {
    name: 'upper case in metadata.name and an underscore in the namespace',
    text: policy(
      'TrafficPolicy',
      `${SVC}  rules: [{timeout: 1s}]\n`,
      '{name: Reviews, namespace: book_info}',
    ),
    expect: [
      ['AM2016', 'metadata.name', 'Reviews'],
      ['AM2016', 'metadata.namespace', 'book_info'],
    ],
  },
  {
    name: 'names too long: 254-character name, 64-character namespace',
    text: policy(
      'TrafficPolicy',
      `${SVC}  rules: [{timeout: 1s}]\n`,
      `{name: ${'a'.repeat(254)}, namespace: ${'b'.repeat(64)}}`,
    ),
    expect: [
      ['AM2016', 'metadata.name', 'aaa'],
      ['AM2016', 'metadata.namespace', 'bbb'],
    ],
  },
  {
    name: 'service name with an underscore, version name with upper case (at its key)',
    text: traffic(`  service: reviews_svc\n  versions: {V1: {version: v1}}\n  rules: [{timeout: 1s}]\n`),
    expect: [
      ['AM2016', 'spec.service', 'reviews_svc'],
      ['AM2016', 'spec.versions.V1', 'V1'],
    ],
  },
  {
    name: 'bad label key and label value in the selector',
    text: traffic(`${SVC}  selector: {"bad key!": "v@l"}\n  rules: [{timeout: 1s}]\n`),
    expect: [
      ['AM2016', 'spec.selector["bad key!"]', '"bad key!"'],
      ['AM2016', 'spec.selector["bad key!"]', '"v@l"'],
    ],
  },
  {
    name: 'an empty query parameter name',
    text: traffic(`${SVC}  rules: [{matches: [{queryParams: [{name: "", exact: x}]}]}]\n`),
    expect: [['AM2016', 'spec.rules[0].matches[0].queryParams[0].name', '""']],
  },
  // --- ranges and enums -------------------------------------------------------------------------
  {
    name: 'port 0',
    text: traffic(`${SVC}  port: 0\n  rules: [{timeout: 1s}]\n`),
    expect: [['AM2005', 'spec.port', '0\n']],
  },
  {
    name: 'port 65536',
    text: traffic(`${SVC}  port: 65536\n  rules: [{timeout: 1s}]\n`),
    expect: [['AM2005', 'spec.port', '65536']],
  },
  {
    name: 'access port 70000',
    text: access(`${SVC}  action: allow\n  from: [{namespace: a}]\n  to: [{ports: [70000]}]\n`),
    expect: [['AM2005', 'spec.to[0].ports[0]', '70000']],
  },
  {
    name: 'percentage 101',
    text: traffic(`${SVC}  rules: [{fault: {delay: {duration: 1s, percentage: 101}}}]\n`),
    expect: [['AM2005', 'spec.rules[0].fault.delay.percentage', '101']],
  },
  {
    name: 'percentage -1',
    text: traffic(`${SVC}  rules: [{fault: {abort: {status: 503, percentage: -1}}}]\n`),
    expect: [['AM2005', 'spec.rules[0].fault.abort.percentage', '-1']],
  },
  {
    name: 'a NaN percentage is reported once',
    text: traffic(`${SVC}  rules: [{mirror: {backend: {service: x}, percentage: .nan}}]\n`),
    expect: [['AM2005', 'spec.rules[0].mirror.percentage', '.nan']],
  },
  {
    name: 'onUnsupported: maybe',
    text: traffic(`${SVC}  onUnsupported: maybe\n  rules: [{timeout: 1s}]\n`),
    expect: [['AM2004', 'spec.onUnsupported', 'maybe']],
  },
  {
    name: 'method typo suggests the method',
    text: traffic(`${SVC}  rules: [{matches: [{method: GETT}]}]\n`),
    expect: [['AM2004', 'spec.rules[0].matches[0].method', 'GETT']],
    mentions: ['GET?'],
  },
  {
    name: 'unknown retry conditions',
    text: traffic(`${SVC}  rules: [{retries: {attempts: 2, retryOn: [5xx, bogus, "600"]}}]\n`),
    expect: [
      ['AM2022', 'spec.rules[0].retries.retryOn[1]', 'bogus'],
      ['AM2022', 'spec.rules[0].retries.retryOn[2]', '"600"'],
    ],
  },
  // --- document level ---------------------------------------------------------------------------
  {
    name: 'apiVersion wrong',
    text: `apiVersion: networking.istio.io/v1\nkind: TrafficPolicy\n`,
    expect: [['AM1009', 'apiVersion', 'networking']],
  },
  { name: 'apiVersion missing', text: `kind: TrafficPolicy\n`, expect: [['AM1009', '', '1:1']] },
  {
    name: 'kind unknown',
    text: `apiVersion: anymesh.dev/v1alpha1\nkind: VirtualService\n`,
    expect: [['AM1010', 'kind', 'VirtualService']],
  },
  {
    name: 'a list document',
    text: `- apiVersion: anymesh.dev/v1alpha1\n- kind: X\n`,
    expect: [['AM1008', '', '1:1']],
  },
  { name: 'a scalar document', text: `just some words\n`, expect: [['AM1008', '', '1:1']] },
  {
    name: 'the second document of a file is located in the second document',
    text: `${traffic(`${SVC}  rules: [{timeout: 1s}]\n`)}---\n${policy('TrafficPolicy', `${SVC}  rules: [{timeout: 1d}]\n`, '{name: other}')}`,
    expect: [['AM2013', 'spec.rules[0].timeout', '1d']],
  },
  {
    name: 'a document after empty and comment-only documents',
    text: `---\n# nothing here\n---\n---\n${traffic(`${SVC}  rules: [{timeout: 1d}]\n`)}`,
    expect: [['AM2013', 'spec.rules[0].timeout', '1d']],
  },
  {
    name: 'a MeshInstallation for an unknown mesh',
    text: `apiVersion: anymesh.dev/v1alpha1\nkind: MeshInstallation\nmetadata: {name: m}\nspec: {mesh: kuma}\n`,
    expect: [['AM2004', 'spec.mesh', 'kuma']],
  },
  // --- YAML problems ----------------------------------------------------------------------------
  {
    name: 'a key twice in a block mapping',
    text: traffic(`${SVC}  service: ratings\n  rules: [{timeout: 1s}]\n`),
    expect: [['AM1012', '', 'service: ratings']],
    mentions: ['service'],
  },
  {
    name: 'a key twice in a flow mapping names that key',
    text: traffic(`${SVC}  rules: [{timeout: 1s, timeout: 2s}]\n`),
    expect: [['AM1012', '', ['timeout', 2]]],
    mentions: ['timeout'],
  },
  {
    name: 'an unclosed flow sequence',
    text: traffic(`${SVC}  rules: [{timeout: 1s}\n`),
    // At the end of the input, where the closing ] was expected.
    expect: [['AM1005', '', '7:1']],
  },
  {
    name: 'a file cut short inside a quoted string is placed on its last line, not after it',
    text: `${API}\nkind: "TrafficPo`,
    expect: [['AM1005', '', '2:17']],
  },
  {
    name: 'tab indentation',
    text: traffic(`${SVC}\trules: [{timeout: 1s}]\n`),
    expect: [['AM1005', '', '6:1']],
  },
  {
    name: 'an unknown tag',
    text: traffic(`  service: !!binary aGVsbG8=\n  rules: [{timeout: 1s}]\n`),
    expect: [['AM1005', '', '5:29']],
  },
  // --- semantic rules ---------------------------------------------------------------------------
  {
    name: 'abort with both status and grpcStatus',
    text: traffic(
      `${SVC}  rules: [{fault: {abort: {status: 503, grpcStatus: UNAVAILABLE, percentage: 5}}}]\n`,
    ),
    expect: [['AM2021', 'spec.rules[0].fault.abort', '{status']],
  },
  {
    name: 'abort with neither status nor grpcStatus',
    text: traffic(`${SVC}  rules: [{fault: {abort: {percentage: 5}}}]\n`),
    expect: [['AM2021', 'spec.rules[0].fault.abort', '{percentage']],
  },
  {
    name: 'header match with two kinds, and one with none',
    text: traffic(`${SVC}  rules: [{matches: [{headers: [{name: a, exact: x, prefix: y}, {name: b}]}]}]\n`),
    expect: [
      ['AM2019', 'spec.rules[0].matches[0].headers[0]', '{name: a'],
      ['AM2019', 'spec.rules[0].matches[0].headers[1]', '{name: b'],
    ],
  },
  {
    name: 'path match with two kinds',
    text: traffic(`${SVC}  rules: [{matches: [{path: {exact: /a, prefix: /b}}]}]\n`),
    expect: [['AM2019', 'spec.rules[0].matches[0].path', '{exact']],
  },
  {
    name: 'present: false on a header and a query parameter',
    text: traffic(
      `${SVC}  rules: [{matches: [{headers: [{name: a, present: false}], queryParams: [{name: q, present: false}]}]}]\n`,
    ),
    expect: [
      ['AM2020', 'spec.rules[0].matches[0].headers[0].present', ['false', 1]],
      ['AM2020', 'spec.rules[0].matches[0].queryParams[0].present', ['false', 2]],
    ],
  },
  {
    name: 'the same header twice in one match (names are case-insensitive)',
    text: traffic(
      `${SVC}  rules: [{matches: [{headers: [{name: X-A, exact: a}, {name: x-a, exact: b}]}]}]\n`,
    ),
    expect: [['AM2025', 'spec.rules[0].matches[0].headers[1].name', 'x-a']],
  },
  {
    name: 'duplicate rule names',
    text: traffic(`${SVC}  rules:\n    - {name: canary, timeout: 1s}\n    - {name: canary, timeout: 2s}\n`),
    expect: [['AM2027', 'spec.rules[1].name', ['canary', 2]]],
  },
  {
    name: 'a path that does not start with /',
    text: traffic(`${SVC}  rules: [{matches: [{path: {prefix: api}}]}]\n`),
    expect: [['AM2023', 'spec.rules[0].matches[0].path.prefix', 'api}']],
  },
  {
    name: 'access paths with a * in the middle, at both ends, and without /',
    text: access(
      `${SVC}  action: allow\n  from: [{namespace: a}]\n  to: [{paths: ["/a/*/b", "*a*", "a", "/ok/*", "*.png", "*"]}]\n`,
    ),
    expect: [
      ['AM2023', 'spec.to[0].paths[0]', '"/a/*/b"'],
      ['AM2023', 'spec.to[0].paths[1]', '"*a*"'],
      ['AM2023', 'spec.to[0].paths[2]', '"a"'],
    ],
  },
  {
    name: 'caller networks that are not networks, and exceptions outside their block',
    text: access(
      `${SVC}  action: allow\n  from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n    - ipBlock: {cidr: 10.0.0.0/8x}\n    - ipBlock: {cidr: "fd00::/8", except: ["10.1.0.0/16", "fe00::/16", "fd00::1"]}\n    - ipBlock: {cidr: 10.1.2.3}\n    - ipBlock: {cidr: "::ffff:10.0.0.0/104", except: ["::ffff:10.1.0.0/112"]}\n  to: [{ports: [8080]}]\n`,
    ),
    expect: [
      ['AM2047', 'spec.from[0].ipBlock.cidr', '10.0.0.0/33'],
      ['AM2047', 'spec.from[1].ipBlock.cidr', '10.0.0.0/8x'],
      ['AM2047', 'spec.from[2].ipBlock.except[0]', '"10.1.0.0/16"'],
      ['AM2047', 'spec.from[2].ipBlock.except[1]', '"fe00::/16"'],
    ],
  },
  {
    name: 'mTLS: scope mesh with a service',
    text: mtls(`  mode: strict\n  scope: mesh\n  service: reviews\n`),
    expect: [['AM2024', 'spec.service', 'reviews']],
  },
  {
    name: 'mTLS: scope service without a service',
    text: mtls(`  mode: strict\n  scope: service\n`),
    expect: [['AM2024', 'spec.scope', 'service']],
  },
  {
    name: 'mTLS: a selector without a service, and an unknown mode',
    text: mtls(`  mode: off\n  selector: {app: x}\n`),
    expect: [
      ['AM2004', 'spec.mode', 'off'],
      ['AM2024', 'spec.selector', '{app'],
    ],
  },
];

describe('bad inputs: code, field path and line:col of every diagnostic', () => {
  it('has a table of at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { diagnostics } = load([{ name: 'bad.yaml', text: c.text }]);
    expect(rows(diagnostics)).toEqual(expectedRows(c.text, c.expect));
    for (const d of diagnostics) {
      expect(d.level).toBe('error');
      expect(d.location?.file).toBe('bad.yaml');
    }
    for (const word of c.mentions ?? []) {
      expect(diagnostics.map((d) => d.message).join('\n')).toContain(word);
    }
  });
});

describe('bad inputs that need files', () => {
  it('reports every problem of one document at once', () => {
    const file = join(FIXTURES, 'many-problems.yaml');
    const text = readFileSync(file, 'utf8');
    const r = loadPolicies([file]);
    expect(r.ok).toBe(false);
    expect(rows(r.diagnostics)).toEqual(
      expectedRows(text, [
        ['AM2016', 'metadata.name', 'Reviews'],
        ['AM2016', 'spec.service', 'reviews_svc'],
        ['AM2005', 'spec.port', '0\n'],
        ['AM2013', 'spec.rules[0].timeout', '1d'],
        ['AM2005', 'spec.rules[0].retries.attempts', '0,'],
        ['AM2028', 'spec.rules[0].retries.perTryTimeout', '0ms'],
        ['AM2014', 'spec.rules[0].matches[0].path.regex', '"(?<='],
        ['AM2015', 'spec.rules[0].matches[0].headers[0].name', '"end user"'],
        ['AM2010', 'spec.rules[0].backends', '- { version: v1'],
        ['AM2012', 'spec.rules[0].backends[1].version', 'v9'],
        ['AM2027', 'spec.rules[1].name', ['canary', 2]],
        ['AM2021', 'spec.rules[1].fault.abort', '{ status'],
        ['AM2005', 'spec.rules[1].fault.delay.percentage', '101'],
      ]),
    );
    // Sorted by position, as the CLI prints them.
    const lines = r.diagnostics.map((d) => d.location?.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('reports a policy defined in two files at the second, naming the first', () => {
    const a = join(FIXTURES, 'dup-a.yaml');
    const b = join(FIXTURES, 'dup-b.yaml');
    const r = loadPolicies([a, b]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['AM2017']);
    const d = r.diagnostics[0]!;
    const textA = readFileSync(a, 'utf8');
    const textB = readFileSync(b, 'utf8');
    expect(d.location?.file).toBe(b);
    expect(`${d.location?.line}:${d.location?.col}`).toBe(positionOf(textB, 'reviews'));
    expect(d.path).toBe('metadata.name');
    expect(d.policy).toBe('TrafficPolicy/bookinfo/reviews');
    // The other position is data the user needs: file:line:col of the first definition.
    expect(d.message).toContain(`${a}:${positionOf(textA, 'reviews, namespace')}`);
  });

  it('the same name in another namespace or kind is no duplicate', () => {
    const text = `${traffic(`${SVC}  rules: [{timeout: 1s}]\n`)}---\n${policy('TrafficPolicy', `${SVC}  rules: [{timeout: 1s}]\n`, '{name: reviews, namespace: other}')}---\n${access(`${SVC}  action: deny\n  from: [{namespace: x}]\n`).replace('readers', 'reviews')}`;
    const v = load([{ name: 'x.yaml', text }]);
    expect(v.diagnostics).toEqual([]);
    expect(v.policies.map((p) => p.ref)).toEqual([
      'TrafficPolicy/bookinfo/reviews',
      'TrafficPolicy/other/reviews',
      'AccessPolicy/bookinfo/reviews',
    ]);
  });

  it('namespace defaults to default, so an explicit default namespace collides', () => {
    const text = `${policy('TrafficPolicy', `${SVC}  rules: [{timeout: 1s}]\n`, '{name: r}')}---\n${policy('TrafficPolicy', `${SVC}  rules: [{timeout: 1s}]\n`, '{name: r, namespace: default}')}`;
    const { diagnostics } = load(text);
    expect(rows(diagnostics)).toEqual(expectedRows(text, [['AM2017', 'metadata.name', ['r,', 1]]]));
  });

  it('an empty file and a comment-only file give NoInput', () => {
    for (const f of ['empty.yaml', 'comment-only.yaml']) {
      const r = loadPolicies([join(FIXTURES, f)]);
      expect(r.ok).toBe(false);
      expect(r.diagnostics.map((d) => d.code)).toEqual(['AM1002']);
    }
  });

  it('an empty file beside a valid one is not an error', () => {
    const r = loadPolicies([join(FIXTURES, 'empty.yaml'), join(FIXTURES, 'dup-a.yaml')]);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('valid inputs close to the bad ones', () => {
  const ok = (name: string, text: string) => {
    it(name, () => {
      const { diagnostics, policies } = load(text);
      expect(diagnostics).toEqual([]);
      expect(policies).toHaveLength(1);
    });
  };
  ok(
    'durations at their minimum and with compound units',
    traffic(`${SVC}  rules: [{matches: [{method: GET}], timeout: 1ms}, {timeout: 1h1m1s1ms}]\n`),
  );
  ok('CORS maxAge may be 0s', traffic(`${SVC}  rules: [{cors: {allowOrigins: [{exact: o}], maxAge: 0s}}]\n`));
  ok('ports 1 and 65535', traffic(`${SVC}  port: 65535\n  rules: [{backends: [{service: x, port: 1}]}]\n`));
  ok(
    'percentages 0 and 100 with decimals',
    traffic(
      `${SVC}  rules: [{fault: {delay: {duration: 1s, percentage: 0}, abort: {grpcStatus: INTERNAL, percentage: 99.99}}}]\n`,
    ),
  );
  ok(
    'weights summing to exactly 100 over three backends (the boundary itself)',
    traffic(
      `${SVC}  versions: {v1: {version: v1}, v2: {version: v2}, v3: {version: v3}}\n  rules: [{backends: [{version: v1, weight: 33}, {version: v2, weight: 33}, {version: v3, weight: 34}]}]\n`,
    ),
  );
  ok(
    'weights summing to 100, one of them 0',
    traffic(`${SVC}${V12}  rules: [{backends: [{version: v1, weight: 100}, {version: v2, weight: 0}]}]\n`),
  );
  ok(
    'a 253-character name with dots and a 63-character namespace',
    policy(
      'TrafficPolicy',
      `${SVC}  rules: [{timeout: 1s}]\n`,
      `{name: ${`${'a'.repeat(62)}.`.repeat(4)}b, namespace: ${'c'.repeat(63)}}`,
    ),
  );
  ok(
    'anchors and aliases that do not explode',
    traffic(`${SVC}  rules:\n    - {matches: [{method: GET}], timeout: &t 1s}\n    - {timeout: *t}\n`),
  );
  ok('Windows line ends', traffic(`${SVC}  rules: [{timeout: 1s}]\n`).replace(/\n/g, '\r\n'));
  ok('a UTF-8 byte order mark', `\ufeff${traffic(`${SVC}  rules: [{timeout: 1s}]\n`)}`);
  ok(
    'status codes as retry conditions',
    traffic(`${SVC}  rules: [{retries: {attempts: 3, retryOn: ["503", gateway-error]}}]\n`),
  );
  ok(
    'access paths in all allowed forms',
    access(
      `${SVC}  action: allow\n  from: [{namespace: a}]\n  to: [{paths: ["/exact", "/prefix/*", "*.png", "*"]}]\n`,
    ),
  );
});
