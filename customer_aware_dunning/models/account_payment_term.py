from collections import namedtuple
from datetime import date

from odoo import _, api, fields, models

from ..policy.engine import MORE_GENEROUS, suggest_payment_term, term_deviation
from ..translate import policy_text

# Due dates are counted from an invoice dated mid-month in a 30-day month, so that an
# end-of-month line weighs what it does on average.
REFERENCE_DATE = date(2025, 6, 15)
# Without a term, an invoice is due on its date: immediate payment.
IMMEDIATE = (-100.0, 0.0)

TermSuggestion = namedtuple("TermSuggestion", "term rule reason")
TermNotice = namedtuple("TermNotice", "suggestion text")


class AccountPaymentTerm(models.Model):
    """Payment terms, measured and suggested by the policy's ``payment_terms`` rules.

    Call order: :meth:`_dunning_customer_facts` (the engine's facts per
    customer, segment included) → :meth:`_dunning_suggest` (the first rule
    that matches, the document being prepared counted in the credit exposure)
    → :meth:`_dunning_generosity` of the suggested and the chosen term →
    ``term_deviation`` (pure) says whether a document's term departs from the
    suggestion in the direction the rule cares about.  :meth:`_dunning_notices`
    does it all in one batch for quotations and draft invoices.
    """

    _inherit = "account.payment.term"

    # ------------------------------------------------------------------ measure

    def _dunning_line_days(self):
        """``[(share, days)]`` of the term's lines: the percentage each asks and its days after the invoice date."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.value == "percent") or self.line_ids
        shares = [line.value_amount if line.value == "percent" else 0.0 for line in lines]
        if not sum(shares):
            shares = [100.0 / len(lines)] * len(lines) if lines else []
        return [
            (share, max((line._get_due_date(REFERENCE_DATE) - REFERENCE_DATE).days, 0))
            for share, line in zip(shares, lines, strict=True)
        ]

    def _dunning_average_days(self):
        """Days the customer has to pay, on average, each line weighted by the percentage it asks.

        Advance and immediate lines count 0 days; fixed-amount lines count
        only when the term has no percentage line (their share depends on the
        amount).  "30% now, balance 60 days" is 0.3 * 0 + 0.7 * 60 = 42 days.
        """
        parts = self._dunning_line_days()
        total = sum(share for share, _days in parts)
        return sum(share * days for share, days in parts) / total if total else 0.0

    def _dunning_upfront_share(self):
        """The percentage due on the invoice date (an advance, or everything for immediate payment)."""
        return sum(share for share, days in self._dunning_line_days() if days == 0)

    def _dunning_generosity(self):
        """A comparable measure, greater = more generous: ``(-upfront share, average days)``.

        A term asking for part of the amount up front is less generous than any
        term that does not, whatever its later lines (the advance is what keeps
        the risk small); between terms asking the same advance, more average
        days is more generous.  No term is immediate payment.
        """
        if not self:
            return IMMEDIATE
        self.ensure_one()
        return (-round(self._dunning_upfront_share(), 2), round(self._dunning_average_days(), 2))

    @api.model
    def _dunning_known_xmlids(self):
        """The XML ids of the payment terms a policy may suggest (archived ones too: they then suggest nothing)."""
        data = self.env["ir.model.data"].sudo().search_read(
            [("model", "=", self._name)], ["module", "name", "res_id"]
        )
        terms = self.sudo().with_context(active_test=False)
        existing = set(terms.search([("id", "in", [row["res_id"] for row in data])]).ids)
        return {f"{row['module']}.{row['name']}" for row in data if row["res_id"] in existing}

    # ------------------------------------------------------------------ suggest

    @api.model
    def _dunning_customer_facts(self, company, partners):
        """``{commercial partner: facts}`` for the payment-term rules, ``segment`` included.

        Customers without measured facts yet (no posted invoice in ``company``)
        get what is known of them: their own fields, their credit limit and a
        zero balance.
        """
        customers = partners.commercial_partner_id.sudo().with_company(company)
        measured = self.env["dunning.partner.facts"].sudo()._policy_facts(company, customers)
        credit = self.env["dunning.credit.observation"]._policy_facts(
            company, customers, fields.Date.context_today(self))
        facts = {}
        for partner in customers:
            values = dict(measured.get(partner) or self._dunning_facts_without_history(partner))
            values.update(credit.get(partner, {}))
            values["segment"] = partner.dunning_segment_id.key or None
            facts[partner] = values
        return facts

    @api.model
    def _dunning_facts_without_history(self, partner):
        limit = partner.credit_limit or None
        return {
            "open_balance": 0.0,
            "overdue_balance": 0.0,
            "oldest_overdue_days": 0,
            "open_credits": 0.0,
            "net_overdue": 0.0,
            "credit_limit": limit,
            "credit_limit_use": 0.0 if limit else None,
            "country_code": partner.country_id.code or None,
            "tags": partner.with_context(lang="en_US").category_id.mapped("name"),
            "has_salesperson": bool(partner.user_id),
            "is_company": partner.is_company,
            "customer_type": partner.dunning_customer_type,
        }

    @api.model
    def _dunning_suggest(self, spec, facts, amount=0.0, segment_name="", terms=None):
        """The :class:`TermSuggestion` of the first rule matching ``facts``, or ``None``.

        ``amount`` (company currency) is the document being prepared: with a
        credit limit, ``credit_limit_use`` becomes (open balance + amount) /
        credit limit, so a large order can tip the customer over a rule's
        threshold.  A rule naming a term that no longer exists, is archived or
        belongs to another company than the current one suggests nothing.
        ``terms``: :meth:`_dunning_spec_terms` of ``spec``, when the caller has it.
        """
        values = dict(facts)
        if values.get("credit_limit") and amount:
            values["credit_limit_use"] = ((values.get("open_balance") or 0.0) + amount) / values["credit_limit"]
        rule = suggest_payment_term(spec, values) if spec else None
        terms = self._dunning_spec_terms(spec) if terms is None else terms
        term = terms.get(rule.suggest) if rule else None
        if not term:
            return None
        return TermSuggestion(term, rule, self._dunning_reason(rule, values, segment_name, bool(amount)))

    @api.model
    def _dunning_spec_terms(self, spec):
        """``{xml id: payment term}`` of the terms ``spec`` suggests that exist, are active and usable here."""
        ids = {}
        for rule in spec.payment_terms if spec else ():
            model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(rule.suggest)
            if model == self._name:
                ids[rule.suggest] = res_id
        found = self.sudo().search([
            ("id", "in", list(ids.values())), ("company_id", "in", [False, self.env.company.id]),
        ])
        return {xmlid: self.browse(res_id) for xmlid, res_id in ids.items() if res_id in found.ids}

    @api.model
    def _dunning_credit_details(self, facts):
        """What the trade register and the credit rating said, for the reason shown with a suggestion."""
        details = []
        status = facts.get("registry_status")
        if status and status != "active":
            label = dict(self.env["dunning.credit.observation"]._fields["registry_status"]._description_selection(
                self.env)).get(status, status)
            details.append(_("trade register: %(status)s", status=label))
        if facts.get("credit_rating") is not None:
            details.append(_("credit rating %(rating)s of 5", rating=facts["credit_rating"]))
        return details

    @api.model
    def _dunning_reason(self, rule, facts, segment_name, with_document):
        """The rule's reason and the facts behind it.

        For example "Pays on time. (Loyal, paid 96% on time over 24 months)".
        """
        details = [segment_name] if segment_name else []
        if facts.get("on_time_ratio") is not None:
            details.append(_("paid %(percent)s%% on time over 24 months", percent=round(facts["on_time_ratio"] * 100)))
        if facts.get("avg_days_late"):
            days = round(facts["avg_days_late"])
            details.append(_("1 day late on average") if days == 1 else _("%(days)s days late on average", days=days))
        if facts.get("credit_limit") and facts.get("credit_limit_use") is not None:
            use = round(facts["credit_limit_use"] * 100)
            details.append(_("credit limit %(percent)s%% used with this document", percent=use) if with_document
                           else _("credit limit %(percent)s%% used", percent=use))
        details.extend(self._dunning_credit_details(facts))
        detail = ", ".join(details)
        reason = policy_text(self.env, rule.reason)
        if reason and detail:
            return f"{reason} ({detail})"
        return reason or detail

    @api.model
    def _dunning_suggestions(self, partners, company, amounts=None):
        """``{commercial partner: TermSuggestion or None}`` for ``partners`` in ``company``, in one batch.

        ``amounts``: ``{commercial partner: amount of the document being prepared}`` (company currency).
        """
        spec = self.env["dunning.policy"]._active_spec(company)
        facts = self._dunning_customer_facts(company, partners)
        amounts = amounts or {}
        suggester = self.with_company(company)
        terms = suggester._dunning_spec_terms(spec)
        return {
            partner: suggester._dunning_suggest(
                spec, values, amounts.get(partner, 0.0), partner.dunning_segment_id.sudo().name or "", terms
            )
            for partner, values in facts.items()
        }

    @api.model
    def _dunning_notices(self, documents):
        """``{document: TermNotice}`` for quotations and draft invoices.

        ``documents``: ``[(document, partner, company, amount in company
        currency, chosen term, its generosity)]``.  The notice text is set when
        the chosen term departs from the suggestion in the direction the rule
        cares about: more generous than a ``protect`` rule's term (a customer
        at risk), less generous than a ``reward`` rule's (a loyal customer),
        either for ``match``.  A generosity of ``None`` means nothing is chosen
        yet (a new quotation without a term): the suggestion is then offered
        whatever the rule's intent.
        """
        notices = {}
        by_company = {}
        for item in documents:
            by_company.setdefault(item[2], []).append(item)
        for company, items in by_company.items():
            spec = self.env["dunning.policy"]._active_spec(company)
            facts = self._dunning_customer_facts(company, self.env["res.partner"].union(*(i[1] for i in items)))
            suggester = self.with_company(company)
            terms = suggester._dunning_spec_terms(spec)
            for document, partner, _company, amount, chosen, generosity in items:
                customer = partner.commercial_partner_id
                values = facts.get(customer)
                segment = customer.sudo().with_company(company).dunning_segment_id.name or ""
                suggestion = suggester._dunning_suggest(spec, values, amount, segment, terms) if values else None
                text = suggestion and self._dunning_notice_text(chosen, generosity, suggestion)
                notices[document] = TermNotice(suggestion, text)
        return notices

    @api.model
    def _dunning_notice_text(self, chosen, generosity, suggestion):
        values = {"chosen": chosen.name, "term": suggestion.term.name, "reason": suggestion.reason}
        if generosity is None:
            return _("No payment term chosen: the policy suggests %(term)s for this customer. %(reason)s", **values)
        departure = term_deviation(suggestion.rule.intent, generosity, suggestion.term._dunning_generosity())
        if not departure:
            return False
        if not chosen:
            return _("Without a payment term, this is due at once: %(term)s is suggested for this customer. "
                     "%(reason)s", **values)
        if departure == MORE_GENEROUS:
            return _("%(chosen)s is more generous than the %(term)s suggested for this customer. %(reason)s", **values)
        return _("%(chosen)s is less generous than the %(term)s suggested for this customer. %(reason)s", **values)
