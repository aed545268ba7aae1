// Loaded into each cloud process the fleet bench starts (`node --expose-gc --import <this>`):
// answers the bench's requests over the IPC channel — `measure`: the process's memory after a full
// garbage collection (so the figures are what the cloud holds, not garbage not yet collected) and
// its CPU time so far; `profile-start` / `profile-stop`: a V8 CPU profile of one phase (the
// storm), written where the bench says. Adds nothing to the cloud otherwise.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

let session;

process.on('message', (message) => {
  if (message?.type === 'measure') {
    const cpu = process.cpuUsage(); // before the GCs below, which are the probe's, not the cloud's
    // Twice: the first pass runs finalizers that free more for the second.
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    process.send?.({
      type: 'memory',
      id: message.id,
      hasGc: typeof globalThis.gc === 'function',
      cpuMs: (cpu.user + cpu.system) / 1000,
      ...usage,
    });
  } else if (message?.type === 'profile-start') {
    void (async () => {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await session.post('Profiler.start');
      process.send?.({ type: 'profile-started', id: message.id });
    })();
  } else if (message?.type === 'profile-stop') {
    void (async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await writeFile(message.path, JSON.stringify(profile));
      process.send?.({ type: 'profile-stopped', id: message.id });
    })();
  }
});
