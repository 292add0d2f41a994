/**
 * Cleanup on every way out: normal end, failure, Ctrl-C and SIGTERM. Whatever a run starts
 * (the target, Chromium, workers) registers its stop here, so nothing is left running.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
let signalsInstalled = false;

async function runCleanups(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  await Promise.allSettled(pending.map(async (cleanup) => cleanup()));
}

/** Registers a cleanup; returns a function that runs it now and unregisters it. */
export function onShutdown(cleanup: Cleanup): () => Promise<void> {
  installSignalHandlers();
  cleanups.add(cleanup);
  return async () => {
    if (cleanups.delete(cleanup)) await cleanup();
  };
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping what this run started…\n`);
      void runCleanups().finally(() => process.exit(code));
    });
  }
}
