/**
 * Cleanup on every way out: normal end, failure, Ctrl-C and SIGTERM. Whatever a run starts
 * (the target, Chromium, workers) registers its stop here, so nothing is left running. On a
 * signal the cleanups run one after another, the latest registered first (what started last
 * may depend on what started first: the monitor's checks on the target). A second signal
 * exits at once — unless it comes within a second of the first: one Ctrl-C reaches a process
 * under `npm run` twice (the terminal signals the whole group, and npm and tsx relay it).
 * Signal handlers are installed only while something is registered, so a finished run leaves
 * the process's default signal behaviour alone.
 */
type Cleanup = () => Promise<void> | void;

const cleanups = new Set<Cleanup>();
/** Cleanups that run before all others (a long-running command's own orderly stop). */
const firsts = new Set<Cleanup>();
const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
let signalExitCode: number | undefined;
/** When the first signal came (0: none yet). */
let stoppingSince = 0;
const SAME_SIGNAL_MS = 1_000;

/** For commands whose normal end is a signal (the monitor): exit with this code instead. */
export function exitOnSignalWith(code: number): void {
  signalExitCode = code;
}

function onSignal(signal: NodeJS.Signals): void {
  const code = signalExitCode ?? SIGNALS[signal as keyof typeof SIGNALS];
  if (stoppingSince) {
    if (Date.now() - stoppingSince < SAME_SIGNAL_MS) return;
    process.stderr.write(`\n${signal} again: exiting without waiting for the cleanups\n`);
    process.exit(code);
  }
  stoppingSince = Date.now();
  process.stderr.write(`\n${signal}: stopping what this run started… (again to exit at once)\n`);
  const pending = [...cleanups].reverse().sort((a, b) => Number(firsts.has(b)) - Number(firsts.has(a)));
  cleanups.clear();
  void (async () => {
    for (const cleanup of pending) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`a cleanup failed: ${(error as Error).message}\n`);
      }
    }
  })().finally(() => process.exit(code));
}

function updateSignalHandlers(): void {
  for (const signal of Object.keys(SIGNALS) as NodeJS.Signals[]) {
    const installed = process.listeners(signal).includes(onSignal);
    if (cleanups.size > 0 && !installed) process.on(signal, onSignal);
    if (cleanups.size === 0 && installed) process.off(signal, onSignal);
  }
}

/**
 * Registers a cleanup; returns a function that runs it now (once) and unregisters it.
 * `first`: it runs before every other cleanup on a signal, whenever it was registered — the
 * monitor waits for its checks in flight before the journeys' browsers are closed under them.
 */
export function onShutdown(cleanup: Cleanup, options: { first?: boolean } = {}): () => Promise<void> {
  const entry: Cleanup = () => cleanup();
  cleanups.add(entry);
  if (options.first) firsts.add(entry);
  updateSignalHandlers();
  return async () => {
    firsts.delete(entry);
    if (!cleanups.delete(entry)) return;
    updateSignalHandlers();
    await cleanup();
  };
}
