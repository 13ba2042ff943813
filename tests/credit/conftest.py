"""The pure credit package loaded under its own name (``dunning_credit``), without Odoo, and a local register."""

import importlib.util
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from pure_fixtures import enable_odoo_test_flag, load_http, load_registry  # noqa: F401  (pytest-odoo's, replaced)

CREDIT_DIR = Path(__file__).resolve().parents[2] / "customer_aware_dunning" / "credit"


def _load_credit_package():
    if "dunning_credit" in sys.modules:
        return sys.modules["dunning_credit"]
    spec = importlib.util.spec_from_file_location(
        "dunning_credit", CREDIT_DIR / "__init__.py", submodule_search_locations=[str(CREDIT_DIR)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["dunning_credit"] = module
    spec.loader.exec_module(module)
    return module


_load_credit_package()


class FakeRegister:
    """A local PRH/YTJ v3 server: ``answers[business_id]`` is a list of (status, headers, body) served in turn."""

    def __init__(self):
        self.answers = {}
        self.requests = []
        register = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                business_id = parse_qs(url.query).get("businessId", [""])[0]
                register.requests.append((url.path, business_id))
                queue = register.answers.get(business_id) or [(200, {}, {"totalResults": 0, "companies": []})]
                status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
                if status == "hang":
                    register.release.wait(5)
                    return
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/opendata-ytj-api/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def register():
    with FakeRegister() as server:
        yield server
