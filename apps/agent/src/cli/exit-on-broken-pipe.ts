/**
 * Exit quietly when the reader of our stdout or stderr goes away (`aos-agent status | head -1`).
 * Node ignores SIGPIPE, so a write to a closed pipe fails with EPIPE as an 'error' event on
 * the stream; with no listener that is an uncaught exception and a stack trace. Installed
 * once, before any command runs, so every command (the daemon's log on stderr included) is
 * covered. The exit code is the one the command had set so far (0 when it had not failed):
 * the output was not wanted any more, which is not an error of the command.
 */
export function exitOnBrokenPipe(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Nothing can be reported: the other stream may be the closed one too.
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}
