import { expose } from 'comlink';
import { createOptimizerWorkerImpl } from '../src/core/optimizer/worker-impl.ts';

// Thin: the logic lives in src/core/optimizer/worker-impl.ts.
expose(createOptimizerWorkerImpl());
