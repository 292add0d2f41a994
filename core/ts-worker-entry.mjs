// A worker thread's entry: registers tsx's loader in this thread (execArgv does not carry it
// into workers everywhere: not under vitest, nor under node --import tsx on Node 20), then
// loads the TypeScript module that tsWorker() named as the thread's last argument.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
