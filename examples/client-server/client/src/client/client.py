"""OpenAos example client: calls the server every few seconds and prints the answer."""
import json
import os
import time
import urllib.error
import urllib.request

SERVER_URL = os.environ.get("SERVER_URL", "http://127.0.0.1:8080/")
interval = float(os.environ.get("CLIENT_INTERVAL", "5"))
calls = 0

while True:
    calls += 1
    try:
        with urllib.request.urlopen(SERVER_URL, timeout=5) as response:
            answer = json.load(response)
        print(f"client: call #{calls} -> {answer['message']} (served {answer['served']}, by {answer['instance']})", flush=True)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        # The server may start after us or be restarting: keep trying, say why.
        print(f"client: call #{calls} to {SERVER_URL} failed: {error}", flush=True)
    time.sleep(interval)
