// Starts a TypeScript worker module: worker threads do not inherit tsx's
// loader hooks from the main thread, so each worker registers them itself.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
