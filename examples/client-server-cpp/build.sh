#!/bin/sh
# Build both services' binaries with the host's g++ into their src/ (each container's rootfs):
# server/src/usr/bin/services/server and client/src/usr/bin/services/client. The C++ runtime is
# linked in (-static-libstdc++ -static-libgcc); glibc comes from the unit's host, which shows
# through beneath src/ — the client resolves the server's name with glibc's NSS, which a fully
# static binary cannot load reliably. The binaries are not committed; run this before `aos go`.
set -eu
cd "$(dirname "$0")"
command -v g++ >/dev/null 2>&1 || { echo "build.sh: g++ is missing: apt-get install g++" >&2; exit 1; }
for part in server client; do
  mkdir -p "$part/src/usr/bin/services"
  g++ -std=c++17 -O2 -Wall -Wextra -static-libstdc++ -static-libgcc -o "$part/src/usr/bin/services/$part" "cpp/$part.cpp"
  echo "built $part/src/usr/bin/services/$part ($(wc -c < "$part/src/usr/bin/services/$part") bytes)"
done
