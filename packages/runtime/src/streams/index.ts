export { AsyncQueue } from './async-queue';
export { onAbort } from './abort-registry';
export { Slots, unlessAborted } from './abortable';
