/** How a worker process is started: the hwflow entry point of this checkout (tsx-registered). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of bin/hwflow.mjs, run with the same node as the coordinator. */
export const hwflowBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/hwflow.mjs');
