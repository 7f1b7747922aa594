/**
 * Redirects and rewrites (issue 16), in Gateway API's words (HTTPRoute RequestRedirect and
 * URLRewrite filters). A redirect left out, or any part of it, would forward what the policy
 * answers (or send callers elsewhere than it says), so it drops its rule; a rewrite left out
 * forwards the request unchanged, so only the field goes.
 */
import { traffic } from './fixtures.js';
import { defineFamily } from './types.js';

const R = 'TrafficPolicy.spec.rules[]';
const RD = `${R}.redirect`;
const RW = `${R}.rewrite`;

/** A rule answering with `redirect` (its flow mapping body), under an optional match entry. */
const redirect = (body: string, companions: readonly string[] = [], match?: string) =>
  traffic(`${match ? `      matches:\n        - ${match}\n` : ''}      redirect: {${body}}`, [
    'route.redirect',
    ...companions,
  ]);

/** A rule routing to v1 with `rewrite` (its flow mapping body), under an optional path prefix. */
const rewrite = (body: string, prefix?: string) =>
  traffic(
    `${prefix ? `      matches:\n        - path: {prefix: ${prefix}}\n` : ''}      backends: [{version: v1}]\n      rewrite: {${body}}`,
    ['backends.version', ...(prefix ? ['match.path.prefix'] : [])],
  );

export const route = defineFamily({
  name: 'route',
  features: [
    {
      id: 'route.redirect',
      description:
        'Answer with an HTTP redirect (scheme, host, port, status code) instead of forwarding the request.',
      uses: [{ field: RD, scope: 'rule' }],
      fixture: traffic('      redirect: {scheme: https, statusCode: 301}', []),
    },
    {
      id: 'route.redirect.path.full',
      description: 'Redirect to a new path, replacing the whole request path.',
      uses: [{ field: `${RD}.path.replaceFullPath`, scope: 'rule' }],
      fixture: redirect('path: {replaceFullPath: /cart/v2}'),
    },
    {
      id: 'route.redirect.path.prefix',
      description: 'Redirect to the request path with the matched path prefix replaced.',
      uses: [{ field: `${RD}.path.replacePrefixMatch`, scope: 'rule' }],
      fixture: redirect(
        'path: {replacePrefixMatch: /basket}',
        ['match.path.prefix'],
        'path: {prefix: /cart}',
      ),
    },
    {
      id: 'route.rewrite.host',
      description: 'Rewrite the Host (authority) header before forwarding.',
      uses: [{ field: `${RW}.host`, scope: 'field' }],
      fixture: rewrite('host: cart.internal'),
    },
    {
      id: 'route.rewrite.path.full',
      description: 'Rewrite the whole request path before forwarding.',
      uses: [{ field: `${RW}.path.replaceFullPath`, scope: 'field', drop: `${RW}.path` }],
      fixture: rewrite('path: {replaceFullPath: /v2/cart}'),
    },
    {
      id: 'route.rewrite.path.prefix',
      description: 'Rewrite the matched path prefix before forwarding, keeping the rest of the path.',
      uses: [{ field: `${RW}.path.replacePrefixMatch`, scope: 'field', drop: `${RW}.path` }],
      fixture: rewrite('path: {replacePrefixMatch: /v2}', '/v1'),
    },
  ],
  explain: [
    { field: 'TrafficPolicy.spec.rules.redirect', features: 'route.redirect', whole: true },
    { field: 'TrafficPolicy.spec.rules.rewrite', features: 'route.rewrite', whole: true },
  ],
});
