#!/usr/bin/env python3
"""OpenAos hello world: greets every few seconds and counts its greetings in /storage.

Reads its settings from /etc/hello.cfg (shipped in src/etc/), the interval may be overridden
by HELLO_INTERVAL (set in meta/config.yaml). /state.dat, when the unit gives the service one,
holds the state the cloud keeps for it; this service only prints it at start.
"""
import configparser
import os
import time

CONFIG_FILE = "/etc/hello.cfg"
STATE_FILE = "/state.dat"
STORAGE_COUNTER = "/storage/hello-count.txt"


def read_settings():
    parser = configparser.ConfigParser()
    parser.read(CONFIG_FILE)  # a missing file leaves the defaults
    section = parser["hello"] if parser.has_section("hello") else {}
    greeting = section.get("greeting", "Hello from OpenAos")
    interval = float(os.environ.get("HELLO_INTERVAL") or section.get("interval", "5"))
    return greeting, interval


def read_counter():
    try:
        with open(STORAGE_COUNTER) as counter_file:
            return int(counter_file.read().strip() or "0")
    except (OSError, ValueError):
        return 0


def write_counter(value):
    # /storage exists only when the service has a storage quota; without it we just count in memory.
    if not os.path.isdir("/storage"):
        return
    temporary = STORAGE_COUNTER + ".tmp"
    with open(temporary, "w") as counter_file:
        counter_file.write(str(value))
    os.replace(temporary, STORAGE_COUNTER)  # atomic: a restart never sees half a number


def print_state():
    try:
        with open(STATE_FILE) as state_file:
            print(f"state: {state_file.read().strip()!r}", flush=True)
    except OSError:
        pass


greeting, interval = read_settings()
print_state()
count = read_counter()
aos_variables = {name: value for name, value in sorted(os.environ.items()) if name.startswith("AOS_")}
while True:
    count += 1
    print(f"{greeting} #{count} {aos_variables}", flush=True)
    write_counter(count)
    time.sleep(interval)
