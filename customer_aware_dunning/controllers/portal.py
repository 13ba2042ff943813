"""The page a reminder links to: the case's invoices and the customer's answers.

Access follows Odoo's portal: :meth:`CustomerPortal._document_check_access` lets a
user who may read the case in, or anyone with the case's access token (compared in
constant time). Portal users get no access right on cases (the case holds internal
notes: segment, pause reasons); their list under /my shows their company's open
cases through ``sudo`` with a domain on their commercial partner, each linked with
its token. Everything a wrong link gets is a plain "link not valid" page.

The page speaks the customer's language (``partner_id.lang``) to a visitor who is
not signed in, as the reminder that linked to it did; portal users get their own.
"""

import re

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

INVALID_LINK_TEMPLATE = "customer_aware_dunning.portal_collection_invalid"
# Control characters a browser never sends from a text box (PostgreSQL cannot even store NUL): dropped.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINK_DAYS_AFTER_CLOSE = 30  # a closed case's link still says "thank you" this long, then it has expired


class DunningPortal(CustomerPortal):

    # ------------------------------------------------------------------ /my

    def _dunning_my_cases_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "=", partner.id), ("state", "!=", "closed")]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "dunning_case_count" in counters:
            values["dunning_case_count"] = request.env["dunning.case"].sudo().search_count(
                self._dunning_my_cases_domain()
            )
        return values

    @http.route(["/my/collections"], type="http", auth="user", website=True)
    def portal_my_collections(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update({
            "cases": request.env["dunning.case"].sudo().search(self._dunning_my_cases_domain()),
            "page_name": "dunning_cases",
        })
        return request.render("customer_aware_dunning.portal_my_collections", values)

    # ------------------------------------------------------------------ one case

    def _dunning_case_or_none(self, case_id, access_token):
        """The case (sudo) the link opens, or ``None`` for a wrong token, another case or an expired link."""
        if access_token and not access_token.isascii():
            return None  # no token of ours is; Odoo's constant-time compare raises TypeError on such text
        try:
            case_sudo = self._document_check_access("dunning.case", case_id, access_token=access_token)
        except (AccessError, MissingError):
            return None
        today = fields.Date.context_today(case_sudo)
        if case_sudo.closed_on and case_sudo.closed_on < fields.Date.subtract(today, days=LINK_DAYS_AFTER_CLOSE):
            return None
        lang = case_sudo.partner_id.lang
        public = request.env.user._is_public()
        if public and lang and lang != request.env.lang and request.env["res.lang"]._lang_get(lang):
            # A link from our message opens in the language the message was written in;
            # a signed-in user keeps their own.
            request.update_context(lang=lang)
            case_sudo = case_sudo.with_context(lang=lang)
        return case_sudo

    def _dunning_invalid_link(self):
        return request.render(INVALID_LINK_TEMPLATE, {}, status=404)

    @http.route(["/my/collections/<int:case_id>"], type="http", auth="public", website=True)
    def portal_collection_case(self, case_id, access_token=None, answered=None, **kw):
        case_sudo = self._dunning_case_or_none(case_id, access_token)
        if case_sudo is None:
            return self._dunning_invalid_link()
        return self._dunning_render_case(case_sudo, access_token, answered=answered == "1")

    @http.route(["/my/collections/<int:case_id>/answer"], type="http", auth="public", methods=["POST"],
                website=True)
    def portal_collection_answer(self, case_id, access_token=None, kind=None, **form):
        case_sudo = self._dunning_case_or_none(case_id, access_token)
        if case_sudo is None:
            return self._dunning_invalid_link()
        answer, problem = self._dunning_parse_answer(form)
        if not problem and kind == "plan" and form.get("plan_step") != "agree":
            return self._dunning_render_plan_preview(case_sudo, access_token, answer, form)
        if not problem:
            today = fields.Date.context_today(case_sudo)
            problem = case_sudo._portal_answer(kind, answer, today, fields.Datetime.now())
        if problem:
            return self._dunning_render_case(case_sudo, access_token, error=problem, form=form, kind=kind,
                                             status=400)
        return request.redirect(case_sudo.get_portal_url(query_string="&answered=1"), code=303)

    def _dunning_parse_answer(self, form):
        """Form text to typed values; ``(answer, problem)`` with ``problem`` worded for the customer."""
        message = CONTROL_CHARACTERS.sub("", form.get("message") or "")
        answer = {"reason": form.get("reason") or None, "message": message}
        try:
            answer["promise_date"] = fields.Date.to_date(form.get("promise_date") or None)
            answer["first_date"] = fields.Date.to_date(form.get("first_date") or None)
        except ValueError:
            return answer, request.env._("Please give the date as year-month-day.")
        try:
            amount = (form.get("promise_amount") or "").strip()
            answer["promise_amount"] = float(amount) if amount else None
            instalments = (form.get("instalments") or "").strip()
            answer["instalments"] = int(instalments) if instalments else None
        except ValueError:
            return answer, request.env._("Please give numbers as digits, for example 1250.50.")
        return answer, ""

    def _dunning_render_plan_preview(self, case_sudo, access_token, answer, form):
        """The page with the chosen plan's dates and amounts, and one button to agree (or ask a person)."""
        today = fields.Date.context_today(case_sudo)
        problem = case_sudo._portal_check("plan", answer, today, fields.Datetime.now())
        if problem:
            return self._dunning_render_case(case_sudo, access_token, error=problem, form=form, kind="plan",
                                             status=400)
        schedule, problems = case_sudo._plan_preview(answer, today)
        preview = {"schedule": schedule, "problems": problems, "instalments": answer["instalments"],
                   "first_date": answer["first_date"]}
        return self._dunning_render_case(case_sudo, access_token, form=form, kind="plan", plan_preview=preview)

    def _dunning_render_case(self, case_sudo, access_token, error="", form=None, kind=None, answered=False,
                             status=200, plan_preview=None):
        today = fields.Date.context_today(case_sudo)
        limits = case_sudo._portal_settings()
        values = self._prepare_portal_layout_values()
        values.update({
            "case": case_sudo,
            "page_name": "dunning_case",
            "invoices": case_sudo._collectable_invoices().sorted("invoice_date_due"),
            "today": today,
            "reasons": list(case_sudo._portal_reasons().items()),
            "max_promise_date": fields.Date.add(today, days=limits.max_promise_days),
            "max_instalments": limits.max_instalments,
            "error": error,
            "error_kind": kind,
            "form": form or {},
            "answered": answered,
            "told": case_sudo._portal_told(),
            "plan_preview": plan_preview,
            "plan_bounds": case_sudo._plan_bounds(),
            "max_plan_first_date": fields.Date.add(today, days=case_sudo._plan_bounds().first_within_days),
        })
        values = self._get_page_view_values(case_sudo, access_token, values, "my_collections_history", False)
        return request.render("customer_aware_dunning.portal_collection_case", values, status=status)
