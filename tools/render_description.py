#!/usr/bin/env python3
"""Render the Apps listing's images: the icon from its SVG source, the screenshots from the demo database.

    .dev/venv/bin/python tools/render_description.py icon
    .dev/venv/bin/python tools/render_description.py screenshots [-d cad_demo] [--port 8069]
    .dev/venv/bin/python tools/render_description.py screenshots --lang fi_FI --out /tmp/fi   # to check a translation

``icon`` draws ``static/description/icon.svg`` into ``icon.png`` (128 x 128) with headless Chromium.
``screenshots`` serves the demo database (``make run`` builds it) with the ``.dev`` Odoo, logs in as
admin in a headless Chromium driven over the DevTools protocol (as Odoo's HttpCase browser is), opens
the real screens, waits until each one's content is drawn and saves it under
``static/description/screenshots/`` where ``index.html`` shows them. Run it after a change to a
screen, so the listing stays current. Chromium is the one the bootstrap installs for the browser tests.
``--lang`` shows the screens in another installed language: it sets the admin's language (the web
client reads it at each page load) and restores it afterwards; ``--out`` writes them elsewhere.
"""

import argparse
import base64
import configparser
import http.cookiejar
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket  # websocket-client, pinned in requirements.lock for the HttpCase browser

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTION = ROOT / "customer_aware_dunning" / "static" / "description"
CONF = ROOT / ".dev" / "odoo.conf"
ODOO_BIN = ROOT / ".dev" / "odoo" / "usr" / "bin" / "odoo"
WIDTH, HEIGHT = 1280, 800

# (file name, URL or a callable giving it from the RPC client, CSS selector drawn once the screen is ready)
SCREENS = (
    ("worklist", "/odoo/action-customer_aware_dunning.action_dunning_worklist", ".o_data_row"),
    ("case", lambda rpc: f"/odoo/action-customer_aware_dunning.action_dunning_case/{rpc.first_case()}",
     ".o_form_view .o_field_widget"),
    ("policy", lambda rpc: f"/odoo/action-customer_aware_dunning.action_dunning_policy/{rpc.active_policy()}",
     ".o_form_view .ace_line, .o_form_view .cm-line, .o_form_view .o_field_widget"),
    ("analysis", "/odoo/action-customer_aware_dunning.action_dunning_case_report",
     ".o_pivot, .o_graph_renderer, .o_data_row"),
    ("portal", lambda rpc: rpc.portal_url(), "main"),
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("render_description: no Chromium found: run make bootstrap (it installs it)")


def render_icon() -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", "--default-background-color=00000000",
                        "--window-size=128,128", f"--screenshot={DESCRIPTION / 'icon.png'}",
                        (DESCRIPTION / "icon.svg").as_uri()], check=True, capture_output=True)
    print(f"wrote {DESCRIPTION / 'icon.png'}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class Rpc:
    """Odoo's JSON-RPC as the web client speaks it, with the admin's session cookie."""

    def __init__(self, base: str, database: str):
        self.base = base
        self.database = database
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.call("/web/session/authenticate", {"db": database, "login": "admin", "password": "admin"})

    def call(self, path: str, params: dict):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(self.base + path, body, {"Content-Type": "application/json"})
        with self.opener.open(request, timeout=60) as response:
            reply = json.load(response)
        if "error" in reply:
            raise RuntimeError(reply["error"].get("data", {}).get("message") or reply["error"])
        return reply["result"]

    def kw(self, model: str, method: str, args: list, **kwargs):
        return self.call(f"/web/dataset/call_kw/{model}/{method}",
                         {"model": model, "method": method, "args": args, "kwargs": kwargs})

    def session_id(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "session_id")

    def first_case(self) -> int:
        return self.kw("dunning.case", "search", [[("state", "!=", "closed")]], limit=1, order="amount_overdue desc")[0]

    def active_policy(self) -> int:
        return self.kw("dunning.policy", "search", [[("state", "=", "active")]], limit=1)[0]

    def admin_lang(self, lang: str | None = None) -> str:
        """The admin's language; with ``lang``, set it first (the web client reads it at each page load)."""
        admin = self.kw("res.users", "search", [[("login", "=", "admin")]], limit=1)
        if lang:
            self.kw("res.users", "write", [admin, {"lang": lang}])
        return self.kw("res.users", "read", [admin, ["lang"]])[0]["lang"]

    def portal_url(self) -> str:
        return self.kw("dunning.case", "get_portal_url", [[self.first_case()]])


class Browser:
    """A headless Chromium page driven over the DevTools protocol."""

    def __init__(self, profile: str):
        port = free_port()
        self.process = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pages = json.loads(wait_for(f"http://127.0.0.1:{port}/json/list"))
        target = next(page for page in pages if page["type"] == "page")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def send(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def shoot(self, url: str, selector: str, path: Path, timeout: float = 60) -> None:
        self.send("Page.navigate", url=url)
        ready = (f"!!document.querySelector({json.dumps(selector)}) && "
                 "(typeof odoo === 'undefined' || !odoo.isReady || odoo.isReady === true)")
        deadline = time.monotonic() + timeout
        while not self.evaluate(ready):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: {selector} never appeared")
            time.sleep(0.5)
        time.sleep(1.5)  # let the last widgets (charts, code editor) finish drawing
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"wrote {path}")

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def take_screenshots(database: str, port: int, lang: str | None = None, out: Path | None = None) -> None:
    options = configparser.ConfigParser()
    options.read(CONF)
    server = subprocess.Popen(
        [sys.executable, str(ODOO_BIN), "-c", str(CONF), "-d", database, f"--db-filter=^{database}$",
         f"--http-port={port}", "--max-cron-threads=0", "--log-level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    out = out or DESCRIPTION / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    try:
        wait_for(base + "/web/login")
        rpc = Rpc(base, database)
        lang_before = rpc.admin_lang(lang) if lang else None
        with tempfile.TemporaryDirectory() as profile:
            browser = Browser(profile)
            try:
                browser.send("Network.enable")
                browser.send("Network.setCookie", name="session_id", value=rpc.session_id(), url=base)
                for name, url, selector in SCREENS:
                    path = url(rpc) if callable(url) else url
                    browser.shoot(base + path, selector, out / f"{name}.png")
            finally:
                browser.close()
                if lang_before:
                    rpc.admin_lang(lang_before)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("icon", "screenshots"))
    parser.add_argument("-d", "--database", default="cad_demo", help="the demo database (make run builds cad_demo)")
    parser.add_argument("--port", type=int, default=0, help="HTTP port for the server (default: a free one)")
    parser.add_argument("--lang", help="show the screens in this language (e.g. fi_FI), then restore the admin's")
    parser.add_argument("--out", type=Path, help="write the screenshots here instead of static/description/screenshots")
    args = parser.parse_args(argv)
    if args.what == "icon":
        render_icon()
    else:
        take_screenshots(args.database, args.port or free_port(), args.lang, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
