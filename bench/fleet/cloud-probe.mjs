// Loaded into each cloud process the fleet bench starts (`node --expose-gc --import <this>`):
// answers the bench's `measure` request over the IPC channel with the process's memory after a
// full garbage collection, so the figures are what the cloud holds, not garbage not yet collected.
// Adds nothing to the cloud otherwise.
process.on('message', (message) => {
  if (message?.type !== 'measure') return;
  // Twice: the first pass runs finalizers that free more for the second.
  globalThis.gc?.();
  globalThis.gc?.();
  const usage = process.memoryUsage();
  process.send?.({ type: 'memory', id: message.id, hasGc: typeof globalThis.gc === 'function', ...usage });
});
