// A worker thread's entry: registers tsx's loader in this thread (execArgv does not carry it
// into workers everywhere, e.g. under vitest), then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
