import type { Command } from 'commander';
import type { CliEnvironment } from './env.js';
import { chooseProgressMode, createProgressReporter, type ProgressReporter, type ProgressStream } from './progress.js';

/** Where the CLI writes: injectable so tests run the whole command line in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
}

/** Flags every command has. */
export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

/** What a command registration needs: output, progress, the environment, the exit code. */
export interface CommandContext {
  io: CliIo;
  env: CliEnvironment;
  /** Set by an action whose result is not a success (invalid config, not verified). */
  state: { exitCode: number };
  /** Print the result: JSON with --json, nothing with --quiet, else the text for people. */
  print<T>(options: OutputOptions, result: T, human: (result: T) => string): void;
  progressFor(options: OutputOptions): ProgressReporter;
}

export function createCommandContext(io: CliIo, env: CliEnvironment, state: { exitCode: number }): CommandContext {
  return {
    io,
    env,
    state,
    print(options, result, human) {
      if (options.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (!options.quiet) io.stdout.write(`${human(result)}\n`);
    },
    progressFor(options) {
      return createProgressReporter(io.stderr, chooseProgressMode({ ...options, stream: io.stderr }));
    },
  };
}

/** Add --json (and -q, --quiet) to a command. */
export function withOutputOptions(command: Command, quiet = true): Command {
  command.option('--json', 'print one JSON document on stdout (for scripts)');
  if (quiet) command.option('-q, --quiet', 'print nothing but errors');
  return command;
}

/** Commander option parser for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
