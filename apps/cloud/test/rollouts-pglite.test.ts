// Rollouts end to end on the embedded PGlite: see fleet/rollout-story.ts.
import { describeRollouts } from './fleet/rollout-story.js';

describeRollouts('pglite');
