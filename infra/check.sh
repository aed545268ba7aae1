#!/usr/bin/env bash
# Validate the self-hosting files without Docker (this machine has no Docker engine).
#   infra/check.sh          static checks (seconds)
#   infra/check.sh --full   also replay the Dockerfile's build commands on a clean clone of HEAD
#                           and start the built cloud (PGlite, or DATABASE_URL when set) — minutes
# Exit status: 0 when every check passed, 1 otherwise. Run from anywhere after `pnpm install`.
set -uo pipefail

INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$INFRA")"
FULL=false
[[ "${1:-}" == "--full" ]] && FULL=true
failures=0

pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
skip() { printf 'skip  %s\n' "$1"; }

# --- docker-compose.yml: parses, and says what the cloud needs -----------------------------
# The yaml package comes from the workspace (packages/config depends on it).
if node --input-type=module - "$INFRA/docker-compose.yml" "$ROOT" <<'JS'
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
const [file, root] = process.argv.slice(2);
const { parse } = createRequire(`${root}/packages/config/package.json`)('yaml');
const compose = parse(readFileSync(file, 'utf8'), { uniqueKeys: true });
const problems = [];
const expect = (condition, message) => { if (!condition) problems.push(message); };
const services = compose?.services ?? {};
expect(Object.keys(services).sort().join(',') === 'caddy,cloud,db,minio,minio-bucket', `services are ${Object.keys(services)} (expected db, cloud, caddy, and minio, minio-bucket in the s3 profile)`);
expect(/^postgres:15(\.|$)/.test(services.db?.image ?? ''), 'db must be postgres:15');
const env = services.cloud?.environment ?? {};
expect(/^postgres:\/\/[^@]+@db:5432\//.test(env.DATABASE_URL ?? ''), 'cloud.environment.DATABASE_URL must point at db:5432');
expect(env.OPENAOS_DATA_DIR === '/var/lib/openaos', 'cloud.environment.OPENAOS_DATA_DIR must be /var/lib/openaos (the Dockerfile volume)');
expect(String(env.PORT) === '3000', 'cloud.environment.PORT must be 3000 (the Dockerfile EXPOSE)');
expect((services.cloud?.volumes ?? []).includes('cloud-data:/var/lib/openaos'), 'cloud-data volume must be mounted at OPENAOS_DATA_DIR');
expect(services.cloud?.build?.dockerfile === 'infra/cloud.Dockerfile' && services.cloud?.build?.context === '..', 'cloud.build must use infra/cloud.Dockerfile with the repository root as context');
expect(services.cloud?.depends_on?.db?.condition === 'service_healthy', 'cloud must wait for a healthy db');
expect(services.cloud?.depends_on?.['minio-bucket']?.required === false, 'cloud may wait for the bucket only when the s3 profile is on (required: false)');
expect(services.cloud?.ports === undefined, 'only caddy publishes ports; the cloud is reached through it');
expect(Array.isArray(services.cloud?.healthcheck?.test), 'cloud needs a health check (caddy waits for it)');
expect(services.caddy?.depends_on?.cloud?.condition === 'service_healthy', 'caddy must wait for a healthy cloud');
expect((services.caddy?.volumes ?? []).some((volume) => volume.startsWith('./caddy/Caddyfile:/etc/caddy/Caddyfile')), 'caddy must mount infra/caddy/Caddyfile');
expect(env.OPENAOS_TRUSTED_PROXIES === '1' && env.OPENAOS_SECURE_COOKIES === 'true', 'behind caddy: OPENAOS_TRUSTED_PROXIES=1 and OPENAOS_SECURE_COOKIES=true');
for (const name of ['minio', 'minio-bucket']) expect((services[name]?.profiles ?? []).includes('s3'), `${name} must be in the s3 profile (optional)`);
for (const [name, service] of Object.entries(services)) expect(!/:latest$/.test(service.image ?? ''), `${name}: pin the image (not :latest)`);
// Every variable the compose file gives the cloud must be one the cloud's server code reads.
const serverDir = `${root}/apps/cloud/src/server`;
const envSource = readdirSync(serverDir).filter((file) => file.endsWith('.ts')).map((file) => readFileSync(`${serverDir}/${file}`, 'utf8')).join('\n');
for (const name of Object.keys(env)) expect(new RegExp(`\\b${name}\\b`).test(envSource), `cloud.environment.${name} is not read by apps/cloud/src/server/*.ts`);
if (problems.length > 0) { console.error(problems.map((p) => `      ${p}`).join('\n')); process.exit(1); }
JS
then pass "docker-compose.yml parses; db is postgres:15; caddy in front (cloud healthy first); minio optional (profile s3); images pinned; the cloud reads every variable it is given"
else fail "docker-compose.yml"
fi

# --- cloud.Dockerfile: its commands match the repository -----------------------------------
dockerfile="$INFRA/cloud.Dockerfile"
if node --input-type=module - "$dockerfile" "$ROOT" <<'JS'
import { readFileSync, existsSync } from 'node:fs';
const [file, root] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const rootPackage = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const cloudPackage = JSON.parse(readFileSync(`${root}/apps/cloud/package.json`, 'utf8'));
const problems = [];
const expect = (condition, message) => { if (!condition) problems.push(message); };
const pnpm = /npm install --global pnpm@(\S+)/.exec(text)?.[1];
expect(`pnpm@${pnpm}` === rootPackage.packageManager, `Dockerfile installs pnpm@${pnpm}, package.json pins ${rootPackage.packageManager}`);
expect(/RUN pnpm install --frozen-lockfile/.test(text), 'pnpm install --frozen-lockfile missing');
expect(existsSync(`${root}/pnpm-lock.yaml`), 'pnpm-lock.yaml missing');
const filter = /pnpm --filter "([^"]+)\.\.\." build/.exec(text)?.[1];
expect(filter === cloudPackage.name, `Dockerfile builds ${filter}, the cloud package is ${cloudPackage.name}`);
expect(typeof cloudPackage.scripts?.build === 'string', 'apps/cloud has no build script');
// CMD must run what "start" runs.
const start = cloudPackage.scripts?.start ?? '';
const cmd = /CMD \[(.*)\]/.exec(text)?.[1]?.split(',').map((word) => JSON.parse(word.trim())) ?? [];
expect(start.endsWith(cmd.join(' ')), `CMD ${JSON.stringify(cmd)} is not what apps/cloud "start" runs (${start})`);
expect(/WORKDIR \/app\/apps\/cloud/.test(text), 'the run stage must work in /app/apps/cloud');
expect(/NODE_ENV=production/.test(text), 'the run stage must set NODE_ENV=production (start does)');
const serverSource = readFileSync(`${root}/apps/cloud/tsconfig.server.json`, 'utf8');
expect(/"outDir"\s*:\s*"dist"|"outDir"\s*:\s*"\.\/dist"/.test(serverSource), 'tsconfig.server.json does not emit to dist/');
const nodeMajor = /node:(\d+)/.exec(text)?.[1];
expect(nodeMajor === '20', `base image is node:${nodeMajor}, the toolchain is Node 20`);
if (problems.length > 0) { console.error(problems.map((p) => `      ${p}`).join('\n')); process.exit(1); }
JS
then pass "cloud.Dockerfile: pnpm version, --frozen-lockfile, filter, CMD = apps/cloud start script"
else fail "cloud.Dockerfile"
fi

# --- Caddyfile -------------------------------------------------------------------------------
caddy_bin="${CADDY:-$(command -v caddy || true)}"
if [[ -n "$caddy_bin" ]]; then
  if output=$(OPENAOS_DOMAIN=openaos.example.com "$caddy_bin" validate --config "$INFRA/caddy/Caddyfile" --adapter caddyfile 2>&1); then
    pass "caddy validate caddy/Caddyfile"
  else fail "caddy validate caddy/Caddyfile: $(tail -1 <<<"$output")"
  fi
else skip "caddy not found (set CADDY=/path/to/caddy): Caddyfile not validated"
fi

# --- systemd unit -----------------------------------------------------------------------------
unit="$INFRA/systemd/aos-agent.service"
if command -v systemd-analyze >/dev/null; then
  if output=$(systemd-analyze verify "$unit" 2>&1) && [[ -z "$output" ]]; then pass "systemd-analyze verify aos-agent.service"
  else fail "systemd-analyze verify aos-agent.service: $output"
  fi
else skip "systemd-analyze not installed"
fi
# The flags the unit passes must be ones `aos-agent` documents (needs apps/agent built).
if [[ -f "$ROOT/apps/agent/dist/main.js" ]]; then
  usage=$(node "$ROOT/apps/agent/bin/aos-agent.js" --help)
  exec_line=$(grep '^ExecStart=' "$unit")
  missing=""
  for flag in $(grep -o -- '--[a-z-]*' <<<"${exec_line#*aos-agent.js}" | sort -u); do
    grep -q -- "$flag" <<<"$usage" || missing="$missing $flag"
  done
  grep -q 'aos-agent run' <<<"$usage" || missing="$missing run"
  if [[ -z "$missing" ]]; then pass "aos-agent.service ExecStart uses only documented aos-agent options"
  else fail "aos-agent.service ExecStart uses options aos-agent does not know:$missing"
  fi
  # The unit runs node with the flags of the agent's launcher (its shebang), which it bypasses.
  shebang_flags=$(head -1 "$ROOT/apps/agent/bin/aos-agent.js" | sed -E 's|^#!/usr/bin/env -S node ?||; s|^#!.*node ?||')
  unit_flags=$(sed -E 's|^ExecStart=/usr/bin/node (.*) /opt/openaos/apps/agent/bin/aos-agent.js.*|\1|' <<<"$exec_line")
  if [[ "$unit_flags" == "$shebang_flags" ]]; then pass "ExecStart gives node the launcher's flags ($shebang_flags)"
  else fail "ExecStart gives node '$unit_flags', apps/agent/bin/aos-agent.js's shebang has '$shebang_flags'"
  fi
  # shellcheck disable=SC2086
  node $unit_flags -e '' 2>/dev/null && pass "node accepts the unit's V8 flags" || fail "node refuses $unit_flags"
else skip "apps/agent not built (pnpm build): ExecStart options not checked"
fi

# --- --full: the Dockerfile's build, replayed on a clean clone --------------------------------
if $FULL; then
  work=$(mktemp -d /tmp/openaos-infra-check.XXXXXX)
  port=${CHECK_PORT:-3990}
  echo "      clean clone of HEAD in $work (uncommitted changes are not included)"
  if git clone -q "$ROOT" "$work/app" \
    && (cd "$work/app" && CI=true pnpm install --frozen-lockfile >"$work/install.log" 2>&1) \
    && (cd "$work/app" && TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 pnpm --filter "@openaos/cloud..." build >"$work/build.log" 2>&1); then
    pass "pnpm install --frozen-lockfile && pnpm --filter \"@openaos/cloud...\" build (clean clone)"
    (cd "$work/app/apps/cloud" && exec env NODE_ENV=production PORT="$port" HOST=127.0.0.1 OPENAOS_DATA_DIR="$work/data" node dist/server.js >"$work/cloud.log" 2>&1) &
    server=$!
    up=false
    for _ in $(seq 1 120); do
      if curl -sf "http://127.0.0.1:$port/api/trpc/system.info" >"$work/info.json" 2>/dev/null; then up=true; break; fi
      sleep 1
    done
    if $up && grep -q caCertificatePem "$work/info.json" && [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/sign-in")" == 200 ]]; then
      pass "the built cloud starts (node dist/server.js): system.info answers, /sign-in is 200"
    else
      fail "the built cloud did not answer on port $port; see $work/cloud.log"
    fi
    kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
  else
    fail "install/build on a clean clone; see $work/install.log and $work/build.log"
  fi
  [[ $failures -eq 0 ]] && rm -rf "$work"
fi

if [[ $failures -gt 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
