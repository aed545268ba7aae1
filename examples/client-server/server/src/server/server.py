"""OpenAos example server: answers GET / with a small JSON document saying who served it."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8080"))
requests_served = 0


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        global requests_served
        requests_served += 1
        body = json.dumps({
            "message": "Hello from the OpenAos server",
            "path": self.path,
            "served": requests_served,
            "instance": os.environ.get("AOS_INSTANCE_ID", "local"),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        print(f"server: {self.address_string()} {format % args}", flush=True)


print(f"server: listening on port {PORT}", flush=True)
ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
