"""Who may open every route of the addon, through real requests: a table checked against the controllers.

``ROUTES`` lists every URL the addon's controllers declare (a new route without a
row fails); ``EXPECTED`` says, per kind of visitor, what each request gets
without the case's access token.  With the token, anyone opens the case page (the
link in a reminder works without an account): that is checked once per visitor.
"""

from datetime import timedelta

from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon
from .test_portal import TODAY

MODULE = "customer_aware_dunning"
ROUTES = {"/my/collections", "/my/collections/<int:case_id>", "/my/collections/<int:case_id>/answer",
          # the statement's downloads: test_statement_downloads checks who gets them
          "/my/collections/<int:case_id>/statement", "/dunning/statement/partner/<int:partner_id>/xlsx",
          "/dunning/statement/case/<int:case_id>/xlsx"}
VISITORS = ("public", "portal_customer", "portal_other", "internal", "collections_user", "collections_manager",
            "other_company")
# visitor: (GET /my/collections, GET the case page without token, POST an answer without token)
# "list" = 200 with the case in the list, "empty" = 200 without it, "login" = sent to the login page.
EXPECTED = {
    "public": ("login", 404, 404),
    "portal_customer": ("list", 404, 404),  # the list links each case with its token
    "portal_other": ("empty", 404, 404),
    "internal": ("empty", 404, 404),
    "collections_user": ("empty", 200, 303),  # staff who may read the case may answer for the customer
    "collections_manager": ("empty", 200, 303),
    "other_company": ("empty", 404, 404),
}


@tagged("post_install", "-at_install")
class TestRouteMatrix(DunningCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dunning.policy"]._ensure_default(cls.company)
        cls.customer = cls.env["res.partner"].create({"name": "Route Oy", "is_company": True,
                                                      "email": "ap@route.example"})
        cls.invoice = cls.make_invoice(cls.customer, TODAY - timedelta(days=40), TODAY - timedelta(days=10), 900)
        cls.env["dunning.case"]._sync_open_cases(cls.company, TODAY)
        cls.case = cls.env["dunning.case"].search([("partner_id", "=", cls.customer.id)])
        contact = cls.env["res.partner"].create({"name": "Route Contact", "parent_id": cls.customer.id,
                                                 "email": "contact@route.example"})
        stranger = cls.env["res.partner"].create({"name": "Stranger", "email": "stranger@example.com"})
        other_company = cls.setup_other_company(name="Route Branch")["company"]
        logins = {
            "portal_customer": {"groups": "base.group_portal", "partner_id": contact.id},
            "portal_other": {"groups": "base.group_portal", "partner_id": stranger.id},
            "internal": {"groups": "base.group_user"},
            "collections_user": {"groups": f"{MODULE}.group_collections_user"},
            "collections_manager": {"groups": f"{MODULE}.group_collections_manager"},
            "other_company": {"groups": f"{MODULE}.group_collections_manager", "company_id": other_company.id,
                              "company_ids": [Command.set(other_company.ids)]},
        }
        cls.logins = {}
        for visitor, values in logins.items():
            login = f"route.{visitor}"
            values.setdefault("company_id", cls.company.id)
            values.setdefault("company_ids", [Command.set(cls.company.ids)])
            new_test_user(cls.env, login=login, password=f"{login}.pass", **values)
            cls.logins[visitor] = login

    def log_in(self, visitor):
        login = self.logins.get(visitor)
        self.authenticate(login, f"{login}.pass" if login else None)

    def answers(self):
        return self.case.event_ids.filtered(lambda event: event.kind == "customer_answer")

    def test_every_route_of_the_addon_is_in_the_table(self):
        declared, classes = set(), [http.Controller]
        while classes:
            controller = classes.pop()
            classes.extend(controller.__subclasses__())
            if not controller.__module__.startswith(f"odoo.addons.{MODULE}."):
                continue
            for function in vars(controller).values():
                routing = getattr(function, "original_routing", None)
                if routing:
                    declared.update(routing["routes"])
        self.assertEqual(declared, ROUTES)
        self.assertEqual(set(EXPECTED), set(VISITORS))

    def test_each_visitor_gets_what_the_design_allows(self):
        token = self.case._portal_ensure_token()
        for visitor in VISITORS:
            listing, page, answer = EXPECTED[visitor]
            with self.subTest(visitor=visitor):
                self.log_in(visitor)
                response = self.url_open("/my/collections", allow_redirects=False)
                if listing == "login":
                    self.assertIn(response.status_code, (302, 303))
                    self.assertIn("/web/login", response.headers["Location"])
                else:
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(self.case.name in response.text, listing == "list")
                response = self.url_open(f"/my/collections/{self.case.id}", allow_redirects=False)
                self.assertEqual(response.status_code, page)
                self.assertEqual(self.case.name in response.text, page == 200)
                events = len(self.answers())
                response = self.url_open(f"/my/collections/{self.case.id}/answer", data={
                    "csrf_token": http.Request.csrf_token(self), "kind": "question", "message": f"From {visitor}",
                }, allow_redirects=False)
                self.assertEqual(response.status_code, answer)
                self.assertEqual(len(self.answers()), events + (answer == 303))
                # The reminder's link, with its token, opens the page for everyone.
                response = self.url_open(f"/my/collections/{self.case.id}?access_token={token}")
                self.assertEqual(response.status_code, 200)
                self.assertIn(self.case.name, response.text)
