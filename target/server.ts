/** Starts the embedded target in this process on a loopback port, and stops it. */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createTarget, type Target, type TargetOptions } from './app.ts';

export interface RunningTarget {
  url: string;
  port: number;
  target: Target;
  close(): Promise<void>;
}

export interface StartOptions extends TargetOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export async function startTarget(options: StartOptions = {}): Promise<RunningTarget> {
  const host = options.host ?? '127.0.0.1';
  const target = await createTarget(options);
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const server = serve(
      { fetch: target.app.fetch, port: options.port ?? 0, hostname: host },
      (info: AddressInfo) => resolve({ server, port: info.port }),
    ) as Server;
    server.once('error', (error: NodeJS.ErrnoException) => {
      target.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port} on ${host} is in use: choose another with PORT=… or --port, or 0 for a free one`,
            )
          : error,
      );
    });
  });
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    target,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        target.close();
      }),
  };
}
