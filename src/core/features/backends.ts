/**
 * Where a rule sends traffic. Without a backend a rule would route to the service itself, not
 * where the user asked, so an unsupported backend drops its rule; in a mirror it drops the mirror.
 */
import { traffic } from './fixtures.js';
import { protocolOf } from './protocol.js';
import { defineFamily } from './types.js';

const R = 'TrafficPolicy.spec.rules[]';

export const backends = defineFamily({
  name: 'backends',
  features: [
    {
      id: 'backends.version',
      description: 'Route to one named version (subset) of the service.',
      uses: [
        { field: `${R}.backends[].version`, scope: 'rule' },
        { field: `${R}.mirror.backend.version`, scope: 'field', drop: `${R}.mirror` },
      ],
      related: ['TrafficPolicy.spec.versions'],
      fixture: traffic('      backends: [{version: v2}]', []),
    },
    {
      id: 'backends.weighted',
      description: 'Split traffic between several backends by weight (traffic shifting).',
      uses: [
        {
          field: `${R}.backends`,
          scope: 'rule',
          // One backend takes all the traffic whatever its weight: only a list of several splits.
          // A TCP policy splits connections, not requests: protocol.tcp.weighted.
          when: (v, ctx) => Array.isArray(v) && v.length > 1 && protocolOf(ctx.root) !== 'tcp',
        },
      ],
      related: [`${R}.backends[].weight`],
      fixture: traffic('      backends: [{version: v1, weight: 80}, {version: v2, weight: 20}]', [
        'backends.version',
      ]),
    },
    {
      id: 'backends.service',
      description: 'Route to a different service than the destination.',
      uses: [
        { field: `${R}.backends[].service`, scope: 'rule' },
        { field: `${R}.mirror.backend.service`, scope: 'field', drop: `${R}.mirror` },
      ],
      fixture: traffic('      backends: [{service: cart-next, port: 8080}]', []),
    },
  ],
  explain: [
    { field: 'TrafficPolicy', features: 'backends' },
    { field: 'TrafficPolicy.spec.rules.backends', features: 'backends' },
  ],
});
