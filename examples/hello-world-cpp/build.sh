#!/bin/sh
# Build the service's binary with the host's g++ into src/ (the container's rootfs):
# src/usr/bin/services/hello_world, linked statically so it needs nothing from the unit.
# The binary is not committed; run this before `aos sign` / `aos go`.
set -eu
cd "$(dirname "$0")"
command -v g++ >/dev/null 2>&1 || { echo "build.sh: g++ is missing: apt-get install g++" >&2; exit 1; }
mkdir -p src/usr/bin/services
g++ -std=c++17 -O2 -Wall -Wextra -static -o src/usr/bin/services/hello_world cpp/hello_world.cpp
echo "built src/usr/bin/services/hello_world ($(wc -c < src/usr/bin/services/hello_world) bytes, static)"
