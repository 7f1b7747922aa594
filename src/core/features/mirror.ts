/** Traffic mirroring. Its backend's features are in the backends family; here they drop the mirror. */
import { withField } from './fixtures.js';
import { defineFamily } from './types.js';

const MI = 'TrafficPolicy.spec.rules[].mirror';

export const mirror = defineFamily({
  name: 'mirror',
  features: [
    {
      id: 'mirror',
      description: 'Send a copy of the traffic to another backend (shadowing).',
      uses: [{ field: MI, scope: 'field' }],
      fixture: withField('mirror: {backend: {version: v2}}'),
    },
    {
      id: 'mirror.percentage',
      description: 'Mirror only a percentage of the traffic.',
      uses: [
        {
          field: `${MI}.percentage`,
          scope: 'field',
          // Mirroring everything is the default, so 100 asks for nothing more than the mirror.
          when: (v) => v !== 100,
          // Mirroring all traffic where a share was asked for would multiply the load.
          drop: MI,
        },
      ],
      fixture: withField('mirror: {backend: {version: v2}, percentage: 25}', ['mirror']),
    },
  ],
  explain: [
    { field: 'TrafficPolicy', features: 'mirror' },
    { field: 'TrafficPolicy.spec.rules.mirror', features: 'mirror' },
    // The mirror's backend is explained as part of the mirror.
    { field: 'TrafficPolicy.spec.rules.mirror.backend', features: 'mirror', whole: true },
  ],
});
