// The unit channel end to end on the embedded PGlite: see fleet/unit-channel-story.ts.
import { describeUnitChannel } from './fleet/unit-channel-story.js';

describeUnitChannel('pglite');
