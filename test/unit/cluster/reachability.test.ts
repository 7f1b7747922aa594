// The up-front reachability check is sent once, never retried: a server that resets every
// connection (a transient failure the client would retry during a run) sees exactly one attempt,
// and a listener that answers something other than Kubernetes is not mistaken for an API server.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { probeServer } from '../../../src/cluster/reachability.js';

const servers: (Server | HttpServer)[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

function configFor(port: number): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

async function listen(server: Server | HttpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as { port: number }).port;
}

describe('probeServer', () => {
  it('tries once: a server resetting every connection sees one attempt', async () => {
    let attempts = 0;
    const port = await listen(
      createServer((socket) => {
        attempts += 1;
        socket.destroy();
      }),
    );
    const r = await probeServer(configFor(port), { timeoutMs: 5_000 });
    expect(r.ok).toBe(false);
    expect(attempts).toBe(1);
  });

  it('an HTTP server that is not Kubernetes is not an API server', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>hello</html>');
      }),
    );
    const r = await probeServer(configFor(port), { timeoutMs: 5_000 });
    expect(r.ok).toBe(false);
  });

  it('a /version answer with gitVersion is an API server', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ major: '1', minor: '37', gitVersion: 'v1.37.2' }));
      }),
    );
    const r = await probeServer(configFor(port), { timeoutMs: 5_000 });
    expect(r).toMatchObject({ ok: true, version: { gitVersion: 'v1.37.2' } });
  });
});
