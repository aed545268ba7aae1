#!/usr/bin/env bash
# Install the OpenAos device agent on a unit: the systemd service, its storage settings, and the
# unit's identity from a one-time provisioning token; then start it. Run as root on the device,
# from an OpenAos checkout that is built there (`scripts/setup`, or `pnpm install --frozen-lockfile
# && pnpm --filter "@openaos/agent..." build`).
#
#   infra/agent/install.sh --cloud https://cloud.example.com --token aosprov_… [--system-id ID]
#       [--storage-size 2G | --storage-image /var/lib/aos-agent.img --storage-size 8G]
#       [--prefix /opt/openaos] [--no-start] [--root DIR]
#
# The token comes from the OEM: `aos unit provision-token <system id>` (or the console's
# Provision dialog). Without --cloud/--token the service is installed unprovisioned; provision it
# later with the command `aos unit provision-token` prints, then `systemctl restart aos-agent`.
# --root DIR installs into DIR as if it were / (nothing is started): for packaging and tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$(cd "$here/../.." && pwd)"
root=""
cloud=""
token=""
system_id=""
storage_size=""
storage_image=""
start=true

die() { echo "install: $1" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cloud) cloud="${2:?--cloud needs the cloud URL}"; shift 2 ;;
    --token) token="${2:?--token needs the provisioning token}"; shift 2 ;;
    --system-id) system_id="${2:?--system-id needs a value}"; shift 2 ;;
    --storage-size) storage_size="${2:?--storage-size needs a size, e.g. 2G}"; shift 2 ;;
    --storage-image) storage_image="${2:?--storage-image needs a file path}"; shift 2 ;;
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --root) root="${2:?--root needs a directory}"; start=false; shift 2 ;;
    --no-start) start=false; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n "$cloud" && -z "$token" ]] && die "--cloud needs --token (from \`aos unit provision-token <system id>\`)"
[[ -z "$cloud" && -n "$token" ]] && die "--token needs --cloud (the cloud's address)"
[[ -n "$storage_image" && -z "$storage_size" ]] && die "--storage-image needs --storage-size (the image's size, e.g. 8G)"

# What the agent needs on the device.
[[ -n "$root" || "$(id -u)" -eq 0 ]] || die "run as root (the agent runs runc, mounts and cgroups): sudo $0 $*"
node_bin="$(command -v node || true)"
[[ -n "$node_bin" ]] || die "Node.js 20.19 or newer is needed (https://nodejs.org)"
"$node_bin" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "Node $("$node_bin" --version) is too old: 20.19 or newer is needed"
command -v runc >/dev/null || die "runc is missing: apt-get install runc"
[[ -f "$prefix/apps/agent/dist/main.js" ]] ||
  die "the agent is not built in $prefix: run pnpm install --frozen-lockfile && pnpm --filter \"@openaos/agent...\" build there"
if [[ -n "$storage_image" ]]; then command -v mkfs.ext4 >/dev/null || die "--storage-image needs mkfs.ext4: apt-get install e2fsprogs"; fi

agent="$prefix/apps/agent/bin/aos-agent.js"
storage_dir=/var/lib/aos-agent
unit_dir="$root/etc/systemd/system"
mkdir -p "$unit_dir/aos-agent.service.d" "$root$storage_dir"

# The unit file, with this machine's node and this installation's prefix.
sed -e "s|/opt/openaos|$prefix|g" -e "s|^ExecStart=/usr/bin/node |ExecStart=$node_bin |" \
  "$here/../systemd/aos-agent.service" > "$unit_dir/aos-agent.service"
echo "install: wrote $unit_dir/aos-agent.service (agent $agent)"

# Storage: a partition at /var/lib/aos-agent, or the agent's own tmpfs or loop-mounted image.
options=""
[[ -n "$storage_image" ]] && options="--storage-image $storage_image"
[[ -n "$storage_size" ]] && options="${options:+$options }--storage-size $storage_size"
dropin="$unit_dir/aos-agent.service.d/storage.conf"
if [[ -n "$options" ]]; then
  printf '# Written by infra/agent/install.sh: how the agent gets its storage filesystem.\n[Unit]\nRequiresMountsFor=\n[Service]\nEnvironment="AOS_AGENT_OPTIONS=%s"\n' "$options" > "$dropin"
  echo "install: wrote $dropin ($options)"
else
  rm -f "$dropin"
  echo "install: storage: the agent expects a filesystem mounted at $storage_dir (or pass --storage-size / --storage-image)"
fi

# Provisioning: the unit's key stays here; the cloud signs its certificate once, for this token.
identity="$root$storage_dir-identity"
if [[ -n "$cloud" ]]; then
  if [[ -f "$identity/unit.crt.pem" ]]; then
    echo "install: already provisioned ($identity); keeping that identity (remove it to provision again)"
  else
    "$node_bin" "$agent" provision --cloud "$cloud" --token "$token" ${system_id:+--system-id "$system_id"} \
      --storage-dir "$root$storage_dir"
  fi
fi

if $start && [[ -d /run/systemd/system ]]; then
  systemctl daemon-reload
  systemctl enable --now aos-agent
  echo "install: aos-agent is running: systemctl status aos-agent; journalctl -u aos-agent -f"
else
  echo "install: not started; start it with: systemctl daemon-reload && systemctl enable --now aos-agent"
fi
