/**
 * Request matching. Leaving a condition out would send more traffic down its rule, so every
 * condition drops its whole match entry (and the rule when no entry is left).
 */
import { traffic, withMatch } from './fixtures.js';
import { defineFamily } from './types.js';

const M = 'TrafficPolicy.spec.rules[].matches[]';
const entry = (field: string) => [{ field: `${M}.${field}`, scope: 'matchEntry' }] as const;

export const match = defineFamily({
  name: 'match',
  features: [
    {
      id: 'match.path.exact',
      description: 'Match the request path exactly.',
      uses: entry('path.exact'),
      fixture: withMatch('path: {exact: /cart}'),
    },
    {
      id: 'match.path.prefix',
      description: 'Match a path prefix.',
      uses: entry('path.prefix'),
      fixture: withMatch('path: {prefix: /cart}'),
    },
    {
      id: 'match.path.regex',
      description: 'Match the path with an RE2 regular expression.',
      uses: entry('path.regex'),
      fixture: withMatch('path: {regex: "/cart/[0-9]+"}'),
    },
    {
      id: 'match.method',
      description: 'Match the HTTP method.',
      uses: entry('method'),
      fixture: withMatch('method: POST'),
    },
    {
      id: 'match.headers.exact',
      description: 'Match a request header value exactly.',
      uses: entry('headers[].exact'),
      fixture: withMatch('headers: [{name: x-user, exact: jason}]'),
    },
    {
      id: 'match.headers.prefix',
      description: 'Match a request header value prefix.',
      uses: entry('headers[].prefix'),
      fixture: withMatch('headers: [{name: x-user, prefix: jas}]'),
    },
    {
      id: 'match.headers.regex',
      description: 'Match a request header value with an RE2 regular expression.',
      uses: entry('headers[].regex'),
      fixture: withMatch('headers: [{name: x-user, regex: "j.*"}]'),
    },
    {
      id: 'match.headers.present',
      description: 'Match on the presence of a request header.',
      uses: entry('headers[].present'),
      fixture: withMatch('headers: [{name: x-debug, present: true}]'),
    },
    {
      id: 'match.queryParams.exact',
      description: 'Match a query parameter value exactly.',
      uses: entry('queryParams[].exact'),
      fixture: withMatch('queryParams: [{name: beta, exact: "1"}]'),
    },
    {
      id: 'match.queryParams.regex',
      description: 'Match a query parameter value with an RE2 regular expression.',
      uses: entry('queryParams[].regex'),
      fixture: withMatch('queryParams: [{name: beta, regex: "[01]"}]'),
    },
    {
      id: 'match.queryParams.present',
      description: 'Match on the presence of a query parameter.',
      uses: entry('queryParams[].present'),
      fixture: withMatch('queryParams: [{name: beta, present: true}]'),
    },
    {
      id: 'match.port',
      description: 'Restrict a policy to calls to one port of the service (spec.port).',
      // Without its port the policy would govern every port: it is left out whole.
      uses: [{ field: 'TrafficPolicy.spec.port', scope: 'policy' }],
      fixture: traffic('      backends: [{version: v1}]', ['backends.version']),
    },
  ],
  // Path, header and query conditions are explained per kind of condition, not per operator.
  explain: [
    { field: 'TrafficPolicy', features: 'match' },
    { field: 'TrafficPolicy.spec.rules.matches', features: 'match' },
    { field: 'TrafficPolicy.spec.rules.matches.path', features: 'match.path', whole: true },
    { field: 'TrafficPolicy.spec.rules.matches.headers', features: 'match.headers', whole: true },
    { field: 'TrafficPolicy.spec.rules.matches.queryParams', features: 'match.queryParams', whole: true },
  ],
});
