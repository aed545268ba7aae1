import { spawn } from 'node:child_process';

/**
 * The per-instance shim: a `sh` that runs `runc run --keep` in the foreground and, when the
 * container exits, writes runc's exit status (the container's code, 128+signal when killed)
 * atomically to `exitStatus`. Why a shim and not `runc run -d`: a detached container is
 * reparented to init and its exit status is lost; the shim (a few hundred KiB of sh plus
 * runc) waits for it instead. It runs in its own session, so it survives a restart of the
 * agent, and `--keep` leaves the stopped container and its cgroup (memory.oom_control) for
 * the agent to read before it deletes them. The container's stdout and stderr are appended
 * to `log`, which the agent rotates by copy-truncate (rotate-log.ts).
 */
const SHIM_SCRIPT = [
  'runc="$1"; root="$2"; bundle="$3"; pid_file="$4"; id="$5"; log="$6"; exit_file="$7"; overlay="$8"; rootfs="$9"',
  // The rootfs overlay is mounted here rather than by the agent: one process spawn less on the start path.
  'if [ -n "$overlay" ] && ! mount -t overlay overlay -o "$overlay" "$rootfs" >>"$log" 2>&1; then status=125',
  'else "$runc" --root "$root" run --keep --bundle "$bundle" --pid-file "$pid_file" "$id" </dev/null >>"$log" 2>&1; status=$?; fi',
  'echo $status >"$exit_file.tmp" && mv "$exit_file.tmp" "$exit_file"',
].join('\n');

/** Exit status the shim reports when it could not mount the rootfs (runc never ran). */
export const SHIM_MOUNT_FAILED = 125;

export interface ShimOptions {
  runcBinary: string;
  runcRoot: string;
  bundle: string;
  pidFile: string;
  containerId: string;
  log: string;
  exitStatus: string;
  /** Mount an overlay with these options on `rootfs` before running runc. */
  overlay?: { options: string; rootfs: string };
}

/** Start the shim detached; returns its pid (the container pid arrives in `pidFile`). */
export function spawnShim(options: ShimOptions): number {
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      SHIM_SCRIPT,
      'aos-shim',
      options.runcBinary,
      options.runcRoot,
      options.bundle,
      options.pidFile,
      options.containerId,
      options.log,
      options.exitStatus,
      options.overlay?.options ?? '',
      options.overlay?.rootfs ?? '',
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  return child.pid ?? -1;
}
