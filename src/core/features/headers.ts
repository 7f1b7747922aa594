/** Request and response header changes; each operation is left out on its own. */
import { withField } from './fixtures.js';
import { defineFamily } from './types.js';

const R = 'TrafficPolicy.spec.rules[]';
const op = (field: string) => [{ field: `${R}.${field}`, scope: 'field' }] as const;

export const headers = defineFamily({
  name: 'headers',
  features: [
    {
      id: 'headers.request.set',
      description: 'Set (overwrite) request headers.',
      uses: op('requestHeaders.set'),
      fixture: withField('requestHeaders: {set: {x-env: prod}}'),
    },
    {
      id: 'headers.request.add',
      description: 'Add (append) request headers.',
      uses: op('requestHeaders.add'),
      fixture: withField('requestHeaders: {add: {x-trace: "1"}}'),
    },
    {
      id: 'headers.request.remove',
      description: 'Remove request headers.',
      uses: op('requestHeaders.remove'),
      fixture: withField('requestHeaders: {remove: [x-debug]}'),
    },
    {
      id: 'headers.response.set',
      description: 'Set (overwrite) response headers.',
      uses: op('responseHeaders.set'),
      fixture: withField('responseHeaders: {set: {cache-control: no-store}}'),
    },
    {
      id: 'headers.response.add',
      description: 'Add (append) response headers.',
      uses: op('responseHeaders.add'),
      fixture: withField('responseHeaders: {add: {x-served-by: cart}}'),
    },
    {
      id: 'headers.response.remove',
      description: 'Remove response headers.',
      uses: op('responseHeaders.remove'),
      fixture: withField('responseHeaders: {remove: [server]}'),
    },
  ],
  explain: [
    { field: 'TrafficPolicy', features: 'headers' },
    { field: 'TrafficPolicy.spec.rules.requestHeaders', features: 'headers.request' },
    { field: 'TrafficPolicy.spec.rules.responseHeaders', features: 'headers.response' },
  ],
});
