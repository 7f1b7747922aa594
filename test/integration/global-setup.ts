// vitest globalSetup for the integration project: one real cluster (kube-apiserver + etcd, official
// CRDs installed) shared by every integration test file, which run one after another
// (fileParallelism: false in vitest.config.ts). Test files get the admin kubeconfig path through
// `inject('kubeconfig')` and use attachCluster() for the rest.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startCluster } from './harness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin (system:masters) kubeconfig of the shared test cluster; context "anymesh-test". */
    kubeconfig: string;
  }
}

const log = (message: string) => process.stderr.write(`[anymesh-cluster] ${message}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster({ log });
  const { startMs } = cluster.stats();
  log(
    `started in ${startMs.total} ms (to /readyz ${startMs.toReady} ms, CRDs Established ${startMs.crds} ms)`,
  );
  project.provide('kubeconfig', cluster.kubeconfigPath);

  // vitest calls this after the last test file, whether tests passed or failed.
  return async () => {
    const { peakRssKiB } = await cluster.stop();
    const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
    log(
      `stopped; peak RSS (VmHWM): kube-apiserver ${mib(peakRssKiB.kubeApiserver)}, etcd ${mib(peakRssKiB.etcd)}`,
    );
  };
}
