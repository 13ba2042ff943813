"""A local PRH/YTJ v3 trade register for the addon's tests (127.0.0.1, never the internet)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def company(business_id, situation=None, registered="2019-03-14"):
    """One company as the v3 ``/companies`` answer carries it."""
    return {
        "businessId": {"value": business_id, "registrationDate": registered, "source": "3"},
        "names": [{"name": "Koivu Logistiikka Oy", "type": "1", "registrationDate": registered,
                   "endDate": None, "version": 1, "source": "1"}],
        "mainBusinessLine": {"type": "49410", "typeCodeSet": "TOIMI4", "source": "2", "descriptions": [
            {"languageCode": "3", "description": "Freight transport by road"}]},
        "companyForms": [{"type": "16", "endDate": None, "version": 1, "source": "1", "descriptions": [
            {"languageCode": "3", "description": "Limited company"}]}],
        "companySituations": [{"type": situation, "registrationDate": "2026-06-20", "endDate": None,
                               "source": "1"}] if situation else [],
        "registeredEntries": [],
        "addresses": [],
        "tradeRegisterStatus": "1",
        "status": "2",
        "registrationDate": registered,
        "endDate": None,
    }


class LocalRegister:
    """``companies[business_id]`` is what the register answers for it; unknown IDs get an empty list."""

    def __init__(self):
        self.companies = {}
        register = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                business_id = parse_qs(urlparse(self.path).query).get("businessId", [""])[0]
                found = [register.companies[business_id]] if business_id in register.companies else []
                payload = json.dumps({"totalResults": len(found), "companies": found}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/opendata-ytj-api/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
