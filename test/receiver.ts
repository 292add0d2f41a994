/** A local webhook receiver for the monitor's tests: records every request, answers as scripted. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** The status it was answered with. */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers to give, in order; then `otherwise`. */
  script: number[];
  otherwise: number;
  /** Accepted requests (2xx), in order. */
  accepted(): Received[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    script: [],
    otherwise: 202,
    accepted: () => receiver.received.filter((r) => r.status >= 200 && r.status < 300),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const status = receiver.script.shift() ?? receiver.otherwise;
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {}
      receiver.received.push({ path: req.url ?? '', headers: req.headers, body, json, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
