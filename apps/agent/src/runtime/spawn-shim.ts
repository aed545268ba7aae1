import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { LOG_WRITER_FUNCTION, type LogLimits } from './log-writer.js';

/**
 * The per-instance shim: a `sh` that runs `runc run --keep` in the foreground, pipes the
 * container's stdout and stderr into the log writer (log-writer.ts) and, once the container has
 * exited and the writer has written its last byte, writes runc's exit status (the container's
 * code, 128+signal when killed) atomically to `exitStatus`. So an exit status on disk means the
 * log is complete, and a restarted instance's new writer never overlaps the old one.
 *
 * Why a shim and not `runc run -d`: a detached container is reparented to init and its exit
 * status is lost; the shim (a few hundred KiB of sh, runc and the writer) waits for it instead.
 * It runs in its own session, so it survives a restart of the agent, and `--keep` leaves the
 * stopped container and its cgroup (memory.oom_control) for the agent to read before it
 * deletes them. It runs in the instance's directory and writes its files by relative names:
 * if that directory is removed or the storage unmounted under it (the agent lost its state),
 * a late write lands in the old directory, never in a new instance's.
 */
const SHIM_SCRIPT = [
  'runc="$1"; root="$2"; bundle="$3"; pid_file="$4"; id="$5"; log="$6"; exit_file="$7"; overlay="$8"; rootfs="$9"',
  'max_bytes="${10}"; max_files="${11}"',
  LOG_WRITER_FUNCTION,
  '{',
  // The rootfs overlay is mounted here rather than by the agent: one process spawn less on the start path.
  '  if [ -n "$overlay" ] && ! mount -t overlay overlay -o "$overlay" "$rootfs" 2>&1; then echo 125 >"$exit_file.tmp"',
  '  else "$runc" --root "$root" run --keep --bundle "$bundle" --pid-file "$pid_file" "$id" </dev/null 2>&1; echo $? >"$exit_file.tmp"; fi',
  '} | write_log',
  'mv "$exit_file.tmp" "$exit_file"',
].join('\n');

/** Exit status the shim reports when it could not mount the rootfs (runc never ran). */
export const SHIM_MOUNT_FAILED = 125;

export interface ShimOptions {
  runcBinary: string;
  runcRoot: string;
  /** The instance's directory: the shim's working directory, holding the files below. */
  bundle: string;
  pidFile: string;
  containerId: string;
  log: string;
  logLimits: LogLimits;
  exitStatus: string;
  /** Mount an overlay with these options on `rootfs` before running runc. */
  overlay?: { options: string; rootfs: string };
}

/** Start the shim detached; returns its pid (the container pid arrives in `pidFile`). */
export function spawnShim(options: ShimOptions): number {
  const inBundle = (path: string) => relative(options.bundle, path);
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      SHIM_SCRIPT,
      'aos-shim',
      options.runcBinary,
      options.runcRoot,
      options.bundle,
      inBundle(options.pidFile),
      options.containerId,
      inBundle(options.log),
      inBundle(options.exitStatus),
      options.overlay?.options ?? '',
      options.overlay?.rootfs ?? '',
      String(options.logLimits.maxBytes),
      String(options.logLimits.files),
    ],
    { cwd: options.bundle, detached: true, stdio: 'ignore' },
  );
  child.unref();
  return child.pid ?? -1;
}
