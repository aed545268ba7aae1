import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface LogLimits {
  /** The current file is rotated when it reaches this size; no file is ever larger. */
  maxBytes: number;
  /** Files kept in all, the current one included (current.log, current.log.1 …). */
  files: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxBytes: 1024 * 1024, files: 3 };

/**
 * The log writer: a shell function the shim (spawn-shim.ts) pipes the container's stdout and
 * stderr into. It is the only writer of the instance's log and lives as long as the container,
 * in the shim's session, so neither an agent restart nor a rotation happens under the
 * container's writes.
 *
 * `write_log` appends to "$log" and, when the file reaches $max_bytes, renames it to `.1`
 * (`.1` to `.2` …, keeping $max_files files in all) and opens a new one. `head -c` copies exactly
 * the bytes that still fit: GNU head never reads past them, so the next byte stays in the pipe
 * for the next file, and nothing is lost or doubled at a rotation (a line may be split between
 * two files; read them in order). `stdbuf -o0` makes head write each read at once (its stdio
 * would hold up to a buffer of a quiet container's output). While it rotates, the container's
 * writes wait in the pipe. Needs GNU coreutils (head, stdbuf, wc, mv).
 * If the file cannot be written (a full disk), the rest of the output is read and dropped: the
 * container must neither block nor die on a broken pipe because of its log.
 */
export const LOG_WRITER_FUNCTION = `write_log() {
  size=0
  if [ -s "$log" ]; then size=$(wc -c <"$log") || size=0; fi
  while :; do
    if [ "$size" -ge "$max_bytes" ]; then
      i=1
      while [ "$i" -lt "$((max_files - 1))" ] && [ -e "$log.$i" ]; do i=$((i + 1)); done
      while [ "$i" -gt 1 ]; do mv -f "$log.$((i - 1))" "$log.$i"; i=$((i - 1)); done
      if [ "$max_files" -gt 1 ]; then mv -f "$log" "$log.1"; else rm -f "$log"; fi
      size=0
    fi
    stdbuf -o0 head -c "$((max_bytes - size))" >>"$log" || break
    size=$(wc -c <"$log") || break
    [ "$size" -ge "$max_bytes" ] || break
  done
  exec cat >/dev/null
}`;

/** An instance's log files, oldest first: `current.log.N` … `current.log.1`, then `current.log` (those that exist). */
export async function listLogFiles(log: string): Promise<string[]> {
  const names = await readdir(dirname(log)).catch(() => [] as string[]);
  const prefix = `${basename(log)}.`;
  const rotated = names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a)
    .map((index) => join(dirname(log), `${prefix}${index}`));
  return names.includes(basename(log)) ? [...rotated, log] : rotated;
}
