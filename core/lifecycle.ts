/**
 * Cleanup on every way out: normal end, failure, Ctrl-C and SIGTERM. Whatever a run starts
 * (the target, Chromium, workers) registers its stop here, so nothing is left running. On a
 * signal the cleanups run one after another, the latest registered first (what started last
 * may depend on what started first: the monitor's checks on the target); a second signal
 * exits at once.
 * Signal handlers are installed only while something is registered, so a finished run leaves
 * the process's default signal behaviour alone.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
let signalExitCode: number | undefined;

/** For commands whose normal end is a signal (the monitor): exit with this code instead. */
export function exitOnSignalWith(code: number): void {
  signalExitCode = code;
}

function onSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping what this run started…\n`);
  const pending = [...cleanups].reverse();
  cleanups.clear();
  void (async () => {
    for (const cleanup of pending) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`a cleanup failed: ${(error as Error).message}\n`);
      }
    }
  })().finally(() => process.exit(signalExitCode ?? SIGNALS[signal as keyof typeof SIGNALS]));
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
