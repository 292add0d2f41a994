/**
 * The running monitor's HTTP face. Three read-only routes need no framework, so node:http:
 *   GET /         the status page, reloading itself every minute
 *   GET /metrics  Prometheus text, or OpenMetrics when the scraper's Accept asks for it
 *   GET /healthz  200 while the monitor's heartbeat is fresh, 503 when it is not (JSON): for a
 *                 liveness probe, or for watching the watcher from elsewhere
 * Every answer is read from the store at request time; a burst of page loads shares one render.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEARTBEAT_STALE_MS, isBeating } from './heartbeat.ts';
import type { MonitorMetrics } from './metrics.ts';
import { statusPageHtml } from './status-page.ts';
import type { MonitorView } from './view.ts';

export interface MonitorServerOptions {
  host: string;
  /** 0: any free port (the URL says which). */
  port: number;
  /** The monitor's view at the instant of a request. */
  view: () => MonitorView;
  metrics: MonitorMetrics;
  log?: (line: string) => void;
  /** How often the served page reloads itself. */
  refreshSeconds?: number;
}

export interface MonitorServer {
  url: URL;
  close(): Promise<void>;
}

/** A rendered page is served again for this long: the page changes by the minute, not the reload. */
const PAGE_REUSE_MS = 5_000;

export interface Healthz {
  status: 'ok' | 'stale' | 'never';
  heartbeatAt: string | null;
  ageSeconds: number | null;
  staleAfterSeconds: number;
}

/** /healthz's answer (pure): the heartbeat's age against the staleness bound. */
export function healthz(heartbeatAt: number | undefined, now: number): { code: number; body: Healthz } {
  const base = { staleAfterSeconds: HEARTBEAT_STALE_MS / 1000 };
  if (heartbeatAt === undefined)
    return { code: 503, body: { status: 'never', heartbeatAt: null, ageSeconds: null, ...base } };
  return {
    code: isBeating(heartbeatAt, now) ? 200 : 503,
    body: {
      status: isBeating(heartbeatAt, now) ? 'ok' : 'stale',
      heartbeatAt: new Date(heartbeatAt).toISOString(),
      ageSeconds: Math.round((now - heartbeatAt) / 1000),
      ...base,
    },
  };
}

export function urlOf(host: string, port: number): URL {
  return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
}

/** Listens; rejects with the listen error (EADDRINUSE, EACCES) for the caller to explain. */
export async function startMonitorServer(options: MonitorServerOptions): Promise<MonitorServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  let page: { html: string; at: number } | undefined;

  const statusPage = (): string => {
    const at = performance.now();
    if (page && at - page.at < PAGE_REUSE_MS) return page.html;
    const html = statusPageHtml(options.view(), { refreshSeconds: options.refreshSeconds ?? 60 });
    page = { html, at };
    return html;
  };

  const send = (res: ServerResponse, code: number, type: string, body: string) => {
    res.writeHead(code, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://monitor').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', `${req.method} is not served: GET ${path}\n`);
    }
    if (path === '/' || path === '/index.html')
      return send(res, 200, 'text/html; charset=utf-8', statusPage());
    if (path === '/metrics') {
      const { contentType, body } = await options.metrics.render(options.view(), req.headers.accept);
      return send(res, 200, contentType, body);
    }
    if (path === '/healthz') {
      const view = options.view();
      const { code, body } = healthz(view.store.heartbeatAt(), view.now);
      return send(res, code, 'application/json', `${JSON.stringify(body)}\n`);
    }
    send(res, 404, 'text/plain; charset=utf-8', `nothing at ${path}: try /, /metrics or /healthz\n`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`monitor server: ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`monitor server: ${error.message}`));
  const { port } = server.address() as AddressInfo;
  return {
    url: urlOf(options.host, port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scrape or page load in flight must not hold the monitor's shutdown.
        server.closeAllConnections();
      }),
  };
}
