/**
 * The HTTP endpoints a kubelet and Prometheus call: /healthz (the process is alive and its loop
 * turns), /readyz (caches synced: a standby replica that does not lead is ready too, so a rollout
 * proceeds), /metrics. Bind addresses as controller-runtime writes them: `:8080`, `127.0.0.1:0`,
 * `0` to disable.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Probes {
  healthy(): boolean;
  ready(): boolean;
  metrics?(): Promise<{ body: string; contentType: string }>;
}

export function parseBindAddress(value: string): { host: string; port: number } | undefined {
  if (value === '0') return undefined;
  const colon = value.lastIndexOf(':');
  const host = colon > 0 ? value.slice(0, colon) : '0.0.0.0';
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bind address ${value}: give [host]:port`);
  return { host, port };
}

export async function serve(
  address: string,
  probes: Probes,
): Promise<{ server: Server; port: number } | undefined> {
  const bind = parseBindAddress(address);
  if (!bind) return undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (ok: boolean) => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'not ready\n');
    };
    if (path === '/healthz' || path === '/livez') return answer(probes.healthy());
    if (path === '/readyz') return answer(probes.ready());
    if (path === '/metrics' && probes.metrics) {
      probes.metrics().then(
        (m) => {
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`${err.message}\n`);
        },
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(bind.port, bind.host, () => done());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
