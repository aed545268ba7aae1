#!/usr/bin/env -S node --max-semi-space-size=1 --no-opt --no-sparkplug
// The daemon is long-running and mostly idle (installs run in a child with the full JIT): a
// 1 MB young generation and no optimizing/baseline compilers keep it inside its 60 MB resident
// budget (bench/agent-memory.mjs). Started as `node bin/aos-agent.js` the shebang flags are
// not applied; set what can still be set at run time.
import v8 from 'node:v8';

if (!process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size')))
  v8.setFlagsFromString('--max-semi-space-size=1');
await import('../dist/main.js');
