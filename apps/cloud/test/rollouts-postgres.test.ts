// Rollouts end to end on PostgreSQL: see fleet/rollout-story.ts.
import { describeRollouts } from './fleet/rollout-story.js';

describeRollouts('postgres');
