/**
 * Access control. A security policy left out in part could allow more than asked (a deny losing a
 * caller) or less (an allow losing one), so every access feature is left out with the policy.
 */
import { access as fixture } from './fixtures.js';
import { defineFamily } from './types.js';

const A = 'AccessPolicy.spec';
const whole = (field: string) => [{ field: `${A}.${field}`, scope: 'policy' }] as const;
const action = (value: string) =>
  [{ field: `${A}.action`, scope: 'policy', when: (v: unknown) => v === value }] as const;

// Access fixtures name the port: Linkerd builds authorization on per-port Servers.
const caller = '  from: [{namespace: web, serviceAccount: frontend}]';
const allow = (to: string, companions: readonly string[]) =>
  fixture(`  action: allow\n${caller}\n  to: [${to}]`, [
    'access.allow',
    'access.from.serviceAccount',
    ...companions,
  ]);

export const access = defineFamily({
  name: 'access',
  features: [
    {
      id: 'access.allow',
      description: 'Allow calls to a service only from listed identities.',
      uses: action('allow'),
      fixture: allow('{ports: [8080]}', ['access.to.ports']),
    },
    {
      id: 'access.deny',
      description: 'Deny calls to a service from listed identities.',
      uses: action('deny'),
      fixture: fixture(`  action: deny\n${caller}`, ['access.from.serviceAccount']),
    },
    {
      id: 'access.from.namespace',
      description: 'Identify callers by namespace alone: every workload of a namespace.',
      uses: [
        {
          field: `${A}.from[].namespace`,
          scope: 'policy',
          // A namespace with a service account only qualifies the account; on its own it means
          // every workload of the namespace, which is what this feature is about.
          when: (_v, { parent }) => parent.serviceAccount === undefined,
        },
      ],
      fixture: fixture('  action: allow\n  from: [{namespace: web}]\n  to: [{ports: [8080]}]', [
        'access.allow',
        'access.to.ports',
      ]),
    },
    {
      id: 'access.from.serviceAccount',
      description: 'Identify callers by service account.',
      uses: whole('from[].serviceAccount'),
      fixture: allow('{ports: [8080]}', ['access.to.ports']),
    },
    {
      id: 'access.to.methods',
      description: 'Restrict access rules to HTTP methods (L7).',
      uses: whole('to[].methods'),
      fixture: allow('{methods: [GET], ports: [8080]}', ['access.to.ports']),
    },
    {
      id: 'access.to.paths',
      description: 'Restrict access rules to request paths (L7).',
      uses: whole('to[].paths'),
      fixture: allow('{paths: ["/cart/*"], ports: [8080]}', ['access.to.ports']),
    },
    {
      id: 'access.to.ports',
      description: 'Restrict access rules to ports.',
      uses: whole('to[].ports'),
      fixture: allow('{ports: [8080]}', []),
    },
    {
      id: 'access.to.headers',
      description: 'Restrict access rules to requests with given headers: exact, prefix or presence (L7).',
      uses: ['exact', 'prefix', 'present'].map(
        (how) => ({ field: `${A}.to[].headers[].${how}`, scope: 'policy' }) as const,
      ),
      fixture: allow('{headers: [{name: x-tenant, exact: acme}], ports: [8080]}', ['access.to.ports']),
    },
    {
      id: 'access.to.headers.regex',
      description: 'Restrict access rules to requests whose header matches a regular expression (L7).',
      uses: whole('to[].headers[].regex'),
      fixture: allow('{headers: [{name: x-tenant, regex: "acme|globex"}], ports: [8080]}', [
        'access.to.ports',
      ]),
    },
    {
      id: 'access.from.authenticated',
      description:
        'Identify callers as any workload with a mesh identity (mutual TLS), whatever its namespace and service account; plaintext callers are not.',
      uses: whole('from[].authenticated'),
      fixture: fixture('  action: allow\n  from: [{authenticated: true}]\n  to: [{ports: [8080]}]', [
        'access.allow',
        'access.to.ports',
      ]),
    },
    {
      id: 'access.from.ipBlock',
      description:
        'Identify callers by network: the client address of the connection is in an IP block (a CIDR, minus exceptions).',
      uses: whole('from[].ipBlock'),
      fixture: fixture('  action: allow\n  from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n  to: [{ports: [8080]}]', [
        'access.allow',
        'access.to.ports',
      ]),
    },
  ],
  explain: [
    { field: 'AccessPolicy', features: 'access' },
    { field: 'AccessPolicy.spec.action', features: 'access' },
    { field: 'AccessPolicy.spec.from', features: 'access.from' },
    { field: 'AccessPolicy.spec.to', features: 'access.to' },
  ],
});
