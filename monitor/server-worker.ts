/** The status page thread (server-thread.ts): the server on a read-only view of the database. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../core/config.ts';
import { resolveChecks } from './checks.ts';
import { MonitorMetrics } from './metrics.ts';
import { startMonitorServer } from './server.ts';
import type { FromServerThread, ServerThreadData, ToServerThread } from './server-thread.ts';
import { loadSlos } from './slo-config.ts';
import { MonitorStore } from './store.ts';

const port = parentPort;
if (!port) throw new Error('server-worker.ts runs as a worker thread (server-thread.ts starts it)');
const send = (message: FromServerThread) => port.postMessage(message);
const data = workerData as ServerThreadData;

const config = await loadConfig(data.configFile);
const baseUrl = new URL(data.baseUrl);
const checks = resolveChecks(config.monitor, baseUrl);
const byName = new Map(checks.map((check) => [check.name, check]));
const slos = await loadSlos(config, checks);
const store = MonitorStore.openReader(data.database);
const metrics = new MonitorMetrics();

try {
  const server = await startMonitorServer({
    host: data.host,
    port: data.port,
    view: () => ({ store, checks, slos, now: Date.now(), origin: baseUrl.origin }),
    metrics,
    log: (line) => console.error(`${new Date().toISOString()} ${line}`),
  });
  port.on('message', (message: ToServerThread) => {
    if (message.type === 'run') {
      const check = byName.get(message.check);
      if (check) metrics.observeRun({ check, attempts: message.attempts });
      return;
    }
    void server.close().then(() => {
      store.close();
      port.close();
    });
  });
  send({ type: 'listening', url: server.url.href });
} catch (error) {
  store.close();
  send({ type: 'error', code: (error as NodeJS.ErrnoException).code, message: (error as Error).message });
  port.close();
}
