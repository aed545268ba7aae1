"""OpenAos hello world: greets every few seconds and counts its greetings in /storage."""
import os
import time

STORAGE_COUNTER = "/storage/hello-count.txt"
interval = float(os.environ.get("HELLO_INTERVAL", "5"))


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


count = read_counter()
aos_variables = {name: value for name, value in sorted(os.environ.items()) if name.startswith("AOS_")}
while True:
    count += 1
    print(f"Hello from OpenAos #{count} {aos_variables}", flush=True)
    write_counter(count)
    time.sleep(interval)
