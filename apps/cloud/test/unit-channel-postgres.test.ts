// The unit channel end to end on PostgreSQL (TEST_DATABASE_URL): see fleet/unit-channel-story.ts.
import { describeUnitChannel } from './fleet/unit-channel-story.js';

describeUnitChannel('postgres');
