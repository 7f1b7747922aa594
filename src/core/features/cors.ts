/**
 * CORS. An origin the mesh cannot match is left out (allowing fewer origins, never more); a CORS
 * policy left with no origin is removed (`degrade.ts`).
 */
import { withField } from './fixtures.js';
import { defineFamily } from './types.js';

const C = 'TrafficPolicy.spec.rules[].cors';

export const cors = defineFamily({
  name: 'cors',
  features: [
    {
      id: 'cors',
      description:
        'Answer CORS preflight requests and add CORS headers (exact origins, methods, headers, max age, credentials).',
      uses: [{ field: C, scope: 'field' }],
      fixture: withField('cors: {allowOrigins: [{exact: "https://shop.example.com"}], allowMethods: [GET]}'),
    },
    {
      id: 'cors.allowOrigins.prefix',
      description: 'CORS allowed origins given by prefix.',
      uses: [{ field: `${C}.allowOrigins[].prefix`, scope: 'field', drop: `${C}.allowOrigins[]` }],
      fixture: withField('cors: {allowOrigins: [{prefix: "https://shop."}]}', ['cors']),
    },
    {
      id: 'cors.allowOrigins.regex',
      description: 'CORS allowed origins given by an RE2 regular expression.',
      uses: [{ field: `${C}.allowOrigins[].regex`, scope: 'field', drop: `${C}.allowOrigins[]` }],
      fixture: withField('cors: {allowOrigins: [{regex: "https://.*\\\\.example\\\\.com"}]}', ['cors']),
    },
  ],
  // CORS is explained as one block: its origin kinds matter together.
  explain: [
    { field: 'TrafficPolicy', features: 'cors' },
    { field: 'TrafficPolicy.spec.rules.cors', features: 'cors', whole: true },
  ],
});
