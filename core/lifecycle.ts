/**
 * Cleanup on every way out: normal end, failure, Ctrl-C and SIGTERM. Whatever a run starts
 * (the target, Chromium, workers) registers its stop here, so nothing is left running.
 * Signal handlers are installed only while something is registered, so a finished run leaves
 * the process's default signal behaviour alone.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

function onSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping what this run started…\n`);
  const pending = [...cleanups].reverse();
  cleanups.clear();
  void Promise.allSettled(pending.map(async (cleanup) => cleanup())).finally(() =>
    process.exit(SIGNALS[signal as keyof typeof SIGNALS]),
  );
}

function updateSignalHandlers(): void {
  for (const signal of Object.keys(SIGNALS) as NodeJS.Signals[]) {
    const installed = process.listeners(signal).includes(onSignal);
    if (cleanups.size > 0 && !installed) process.on(signal, onSignal);
    if (cleanups.size === 0 && installed) process.off(signal, onSignal);
  }
}

/** Registers a cleanup; returns a function that runs it now (once) and unregisters it. */
export function onShutdown(cleanup: Cleanup): () => Promise<void> {
  const entry: Cleanup = () => cleanup();
  cleanups.add(entry);
  updateSignalHandlers();
  return async () => {
    if (!cleanups.delete(entry)) return;
    updateSignalHandlers();
    await cleanup();
  };
}
