/**
 * How every entry point ends: its exit code, or for an error one line "ERROR (what to do)" and
 * exit 2 (DESIGN.md: 2 = could not measure). An error that is not a PerfError is a bug and is
 * shown whole.
 */
import { PerfError } from './errors.ts';

export async function runCli(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof PerfError) console.error(`ERROR (${error.message})`);
    else console.error('ERROR (a bug in pitchey-perf, please report it with this output):', error);
    process.exitCode = 2;
  }
  // Everything this run started has stopped; Lighthouse leaves timers running for seconds, so
  // leave shortly after (an unref'd timer never holds back a process that is done anyway).
  setTimeout(() => process.exit(), 500).unref();
}
