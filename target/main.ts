/**
 * `npm run target`: the embedded Pitchey on loopback.
 *   PORT / --port      port (default: a free one, printed)
 *   HOST / --host      interface (default 127.0.0.1)
 *   TARGET_FAULTS / --faults    fault knobs as JSON, e.g. '{"latency":[{"route":"/api/*","ms":50}]}'
 *   TARGET_ADMIN_TOKEN          enables PUT/GET/DELETE /admin/faults with that bearer token
 */
import { parseArgs } from 'node:util';
import { FaultConfigError, isActive, parseFaultsJson } from './faults.ts';
import { startTarget } from './server.ts';

function fail(message: string): never {
  console.error(`pitchey target: ${message}`);
  process.exit(2);
}

let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  faults: { type: 'string' },
  'exit-on-stdin-close': { type: 'boolean', default: false },
} as const;
try {
  args = parseArgs({ options: OPTIONS }).values;
} catch (error) {
  fail(`${(error as Error).message}. Usage: npm run target -- [--port N] [--host H] [--faults JSON]`);
}

const portText = args.port ?? process.env.PORT ?? '0';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`port "${portText}" is not a port number (0-65535)`);

let faults: ReturnType<typeof parseFaultsJson>;
try {
  faults =
    args.faults !== undefined
      ? parseFaultsJson(args.faults, '--faults')
      : parseFaultsJson(process.env.TARGET_FAULTS, 'TARGET_FAULTS');
} catch (error) {
  if (error instanceof FaultConfigError) fail(error.message);
  throw error;
}

const running = await startTarget({
  port,
  host: args.host ?? process.env.HOST ?? '127.0.0.1',
  faults,
  adminToken: process.env.TARGET_ADMIN_TOKEN || undefined,
}).catch((error: Error) => fail(error.message));

let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`pitchey target: ${reason}, shutting down`);
  await running.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
if (args['exit-on-stdin-close']) {
  process.stdin.on('end', () => void shutdown('parent gone'));
  process.stdin.resume();
}

// Said only once the signal handlers are in place: a parent that stops the target as soon as it
// reads this line must find it ready to shut down cleanly.
console.log(`pitchey target listening on ${running.url}`);
if (isActive(faults)) console.log(`fault knobs: ${JSON.stringify(faults)}`);
