#!/usr/bin/env -S node --max-semi-space-size=1 --lite-mode
// The daemon is long-running and mostly idle: a 1 MB young generation and no optimizing
// compiler keep it well inside its 60 MB resident budget (bench/agent-memory.mjs). When started
// as `node bin/aos-agent.js` the shebang flags are not applied; set what can still be set.
import v8 from 'node:v8';

if (!process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size'))) v8.setFlagsFromString('--max-semi-space-size=1');
await import('../dist/main.js');
