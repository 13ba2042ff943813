"""Credit information: what providers say about a customer's financial situation.

Pure Python, like ``policy/``: no Odoo import, so the clients are tested against a
local HTTP server without a database. ``observation`` holds the one shape every
provider returns and the one rating scale the policy reads; ``prh`` is the
Finnish trade register's open data client (PRH/YTJ API v3).
"""
