/**
 * `anymesh controller --mesh M [--option k=v]... [--kubeconfig F] [--context C] [--namespace NS]...
 *   [--leader-elect] [--metrics-bind-address :8080] [--health-probe-bind-address :8081]
 *   [--drift=revert|report]`: runs in the cluster, reconciling the policy kinds into the mesh's
 * native objects (docs/controller.md). Stops cleanly on SIGTERM / SIGINT (exit 0); exits 1 when
 * leadership is lost, so the kubelet restarts it as a standby.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { Controller } from '../../controller/controller.js';
import { serve } from '../../controller/health.js';
import { leaseTiming } from '../../controller/lease.js';
import { createMetrics } from '../../controller/metrics.js';
import type { DriftMode } from '../../controller/reconcile.js';
import { resolveConfigFlags } from '../config-flags.js';
import { EXIT, UsageError } from '../exit.js';
import { addCompileOptions, type CompileFlags, collect, compileContext, parseMesh } from '../options.js';
import type { Io } from '../output.js';
import { VERSION } from '../version.js';

interface ControllerFlags extends CompileFlags {
  mesh?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  leaseDuration?: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  drift: string;
  resyncPeriod: string;
  workers: string;
}

function seconds(value: string, flag: string): number {
  const m = /^(\d+)(s|m)?$/.exec(value);
  if (!m) throw new UsageError(`${flag} ${value}: give seconds, e.g. 30s or 10m`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

export function registerController(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('controller')
    .description('run in the cluster: reconcile the policy kinds into native objects, with status');
  addCompileOptions(cmd)
    .option('--mesh <mesh>', 'the mesh to compile for')
    .option('--kubeconfig <file>', 'the kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('-n, --namespace <ns>', 'watch only this namespace; repeatable (default: all)', collect)
    .option('--leader-elect', 'elect a leader with a coordination.k8s.io Lease (for several replicas)')
    .option('--leader-election-namespace <ns>', "the Lease's namespace (default: the context's namespace)")
    .option('--leader-election-id <name>', 'the Lease name (default: anymesh-controller-<mesh>)')
    .option('--lease-duration <duration>', 'how long a Lease holds without renewal', '15s')
    .option('--metrics-bind-address <addr>', 'where /metrics is served; 0 to disable', ':8080')
    .option(
      '--health-probe-bind-address <addr>',
      'where /healthz and /readyz are served; 0 to disable',
      ':8081',
    )
    .option(
      '--drift <mode>',
      'revert (write the object again) or report (a condition) out-of-band edits',
      'revert',
    )
    .option('--resync-period <duration>', 'reconcile every namespace again this often', '10m')
    .option('--workers <n>', 'namespaces reconciled at once', '4')
    .action(async (opts: ControllerFlags) => {
      const adapter = parseMesh(opts.mesh);
      if (opts.drift !== 'revert' && opts.drift !== 'report')
        throw new UsageError(`--drift=${opts.drift}: use revert or report`);
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1)
        throw new UsageError(`--workers ${opts.workers}: give an integer >= 1`);
      const context = compileContext(opts, adapter);
      const target = resolveConfigFlags(
        {
          ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
          ...(opts.context ? { context: opts.context } : {}),
        },
        { namespaced: false },
      );
      const log = (m: string) => io.err(`${new Date().toISOString()} ${m}\n`);
      const identity = `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
      const leaseDurationSeconds = seconds(opts.leaseDuration ?? '15s', '--lease-duration');
      try {
        leaseTiming({ leaseDurationSeconds });
      } catch (err) {
        throw new UsageError(`--lease-duration ${opts.leaseDuration}: ${(err as Error).message}`);
      }
      // prom-client is imported here, when the controller starts: no other command loads it.
      const metrics = await createMetrics();
      const controller = new Controller({
        client: target.client,
        adapter,
        context,
        drift: opts.drift as DriftMode,
        tooling: `anymesh/${VERSION}`,
        namespaces: opts.namespace ?? [],
        identity,
        workers,
        resyncMs: seconds(opts.resyncPeriod, '--resync-period') * 1000,
        ...(opts.leaderElect
          ? {
              leaderElect: {
                namespace: opts.leaderElectionNamespace ?? target.namespace,
                name: opts.leaderElectionId ?? `anymesh-controller-${adapter.id}`,
                leaseDurationSeconds,
              },
            }
          : {}),
        metrics,
        log,
      });
      const stop = new AbortController();
      const onSignal = (sig: string) => {
        log(`${sig}: finishing the reconcile in flight, then stopping`);
        stop.abort();
      };
      const onTerm = () => onSignal('SIGTERM');
      const onInt = () => onSignal('SIGINT');
      process.once('SIGTERM', onTerm);
      process.once('SIGINT', onInt);
      const servers = await Promise.all([
        serve(opts.metricsBindAddress, {
          healthy: () => true,
          ready: () => true,
          metrics: async () => ({ body: await metrics.render(), contentType: metrics.contentType }),
        }),
        serve(opts.healthProbeBindAddress, {
          healthy: () => controller.healthy(),
          ready: () => controller.ready(),
        }),
      ]);
      for (const [what, s] of [
        ['metrics', servers[0]],
        ['health probes', servers[1]],
      ] as const)
        if (s) log(`${what} on port ${s.port}`);
      log(
        `anymesh controller ${VERSION} for ${adapter.displayName} (identity ${identity}) on ${target.server}`,
      );
      const result = await controller.run(stop.signal);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      for (const s of servers) s?.server.close();
      log(result === 'lost' ? 'stopped: leadership lost' : 'stopped');
      const code = result === 'lost' ? EXIT.failed : EXIT.ok;
      // Idle keep-alive sockets to the API server may hold the event loop: a stopped controller
      // exits within a second whatever is left (unref: never keeps a finished process alive).
      setTimeout(() => process.exit(code), 1000).unref();
      done(code);
    });
}
