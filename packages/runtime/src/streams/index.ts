export { AsyncQueue } from './async-queue';
export { onAbort } from './abort-registry';
