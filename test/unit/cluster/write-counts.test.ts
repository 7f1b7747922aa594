// The client counts writes the server accepted, not attempts: a refused write (403) and the
// retries of a failing one (503) are not writes; a dry run is counted apart. A real HTTP server
// on 127.0.0.1 answers.
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/cluster/client.js';

let server: Server;
let config: KubeConfig;

beforeAll(async () => {
  server = createServer((req, res) => {
    const status = req.url?.includes('forbidden') ? 403 : req.url?.includes('flaky') ? 503 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { kind: 'Secret' } : { kind: 'Status', code: status }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
});
afterAll(() => server.close());

describe('request counters', () => {
  it('writes are successful writes; attempts and retries are counted apart', async () => {
    const c = new KubeClient(config, { retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 } });
    await c.request('PATCH', '/api/v1/namespaces/a/secrets/ok', {});
    await expect(c.request('PATCH', '/api/v1/namespaces/a/secrets/forbidden', {})).rejects.toThrow();
    await expect(c.request('PATCH', '/api/v1/namespaces/a/secrets/flaky', {})).rejects.toThrow();
    await c.request('PATCH', '/api/v1/namespaces/a/secrets/ok?dryRun=All', {});
    expect(c.stats.writes).toBe(1);
    expect(c.stats.dryRuns).toBe(1);
    expect(c.stats.byMethod.PATCH).toBe(1 + 1 + 3 + 1);
    expect(c.stats.retries).toBe(2);
  });
});
