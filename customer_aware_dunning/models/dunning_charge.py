import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.tools import SQL, format_date, formatLang

from ..policy import charges as rules
from ..policy.charges import ChargeContext, ChargeInvoice, plan_charges
from ..policy.schema import CHARGE_KINDS, CUSTOMER_TYPES
from ..policy.text import Listed, Text
from ..texts import (
    CHARGES_NOT_POSTED,
    COMPENSATION_CAPPED,
    COMPENSATION_NOT_FOR_CONSUMERS,
    FEE_CAPPED,
    FEE_TOO_EARLY,
    FEE_TOO_SOON,
    MARGIN_CAPPED,
    NO_MARGIN,
    NO_REFERENCE_RATE,
    Reader,
    money,
    to_data,
)

_logger = logging.getLogger(__name__)

CHARGE_DUE_DAYS = 14  # a posted charges invoice falls due this many days after it is issued


class DunningCharge(models.Model):
    """One itemised charge of a collection step: a reminder fee, a recovery compensation or interest.

    The run computes a step's charges with :func:`~..policy.charges.plan_charges`
    (clamped to the company's legal profile) and records every line, charged or
    waived: the waived ones are what the relationship with the customer was
    worth to us, and the analysis shows both.  When the policy says so the
    charged lines are posted as a separate customer invoice or journal entry;
    the overdue invoices themselves are never changed.
    """

    _name = "dunning.charge"
    _description = "Collection charge"
    _order = "date desc, id"

    case_id = fields.Many2one("dunning.case", required=True, ondelete="cascade", index=True, readonly=True)
    event_id = fields.Many2one("dunning.case.event", string="Step", ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="case_id.partner_id", store=True, index=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    segment_id = fields.Many2one("dunning.segment", readonly=True, help="The customer's segment when charged.")
    customer_type = fields.Selection(CUSTOMER_TYPES, readonly=True)
    date = fields.Date(required=True, readonly=True)
    kind = fields.Selection(CHARGE_KINDS, required=True, readonly=True)
    amount = fields.Monetary(readonly=True, help="What the step charges (or would have charged, when waived).")
    waived = fields.Boolean(readonly=True, help="Computed and recorded, not charged: the policy waives it.")
    invoice_id = fields.Many2one("account.move", string="Overdue invoice", readonly=True, index="btree_not_null")
    date_from = fields.Date("Interest from", readonly=True)
    date_to = fields.Date("Interest to", readonly=True)
    days = fields.Integer(readonly=True)
    rate = fields.Float("Annual rate (%)", readonly=True, digits=(16, 2))
    balance = fields.Monetary("Interest on", readonly=True)
    move_id = fields.Many2one("account.move", string="Posted on", readonly=True, index="btree_not_null")

    # ------------------------------------------------------------------ computing a step's charges

    @api.model
    def _charge_steps(self, spec, items, events, today):
        """Compute, clamp and record the charges of the steps ``items`` (``(case, Decision)``) done today.

        ``events``: the step events of the items (one per case).  Returns
        ``(charges, notes, itemised)``: the charges created; ``(case, description)``
        of what was clamped, skipped or not posted, for the caller to record on the
        cases (the server log has it too); and ``{case id: Markup}``, the charged
        lines itemised for the step's message, which the caller hands to the channel.
        """
        by_case = {event.case_id.id: event for event in events}
        items = [(case, decision, by_case[case.id]) for case, decision in items if decision.step.charges]
        if not items:
            return self.browse(), [], {}
        company = items[0][0].company_id
        profile = self.env["dunning.legal.profile"]._for_company(company)
        limits = profile._limits() if profile else None
        rates = self.env["dunning.reference.rate"]._rates_for(company)
        cases = items[0][0].union(*(case for case, _decision, _event in items))
        history = self._history(cases)
        values, amounts, notes = [], {}, []
        for case, decision, event in items:
            partner = case.partner_id
            customer_type = partner.dunning_customer_type
            invoices = self.env["account.move"].browse(decision.invoice_ids)
            segment = case.segment_id.key if case.segment_id else None
            journey = spec.journey(decision.journey)
            context = ChargeContext(
                customer_type=customer_type,
                today=today,
                invoices=tuple(self._charge_invoice(invoice, history) for invoice in invoices),
                limits=limits,
                rates=rates,
                margin=spec.charges.interest_margin(customer_type),
                agreed_rate=partner.with_company(company).dunning_agreed_interest_rate or None,
                last_fee_date=history["last_fee"].get(case.partner_id.id),
                waive=bool((journey and journey.waive_charges) or segment in spec.charges.waive_segments),
            )
            plan = plan_charges(decision.step, context)
            notes.extend(self._notes(case, plan.notes, profile))
            amounts[event.id] = (plan.charged, plan.waived)
            values.extend({
                "case_id": case.id,
                "event_id": event.id,
                "segment_id": case.segment_id.id,
                "customer_type": customer_type,
                "date": today,
                "kind": line.kind,
                "amount": line.amount,
                "waived": line.waived,
                "invoice_id": line.invoice_id,
                "date_from": line.date_from,
                "date_to": line.date_to,
                "days": line.days,
                "rate": line.rate or 0.0,
                "balance": line.balance,
            } for line in plan.lines)
        for event in events:
            if event.id in amounts:
                event.write({"amount_charged": amounts[event.id][0], "amount_waived": amounts[event.id][1]})
        charges = self.sudo().create(values)
        notes.extend(charges._post(spec.charges.post, today))
        return charges, notes, charges._itemised()

    @api.model
    def _history(self, cases):
        """What was already charged: the last fee per customer, and per invoice the compensation and interest."""
        company = cases.company_id[:1]
        partners = cases.partner_id
        demands = self.sudo()._read_group(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id), ("waived", "=", False),
             ("kind", "in", ("fee", "compensation"))],
            ["partner_id", "kind"], ["date:max"],
        )
        last = defaultdict(dict)
        for partner, kind, day in demands:
            last[partner.id][kind] = day
        # A consumer's charged reminder is one with a fee; a business's charged demand, a fee or a compensation.
        fees = {}
        for partner in partners:
            kinds = ("fee",) if partner.dunning_customer_type == "consumer" else ("fee", "compensation")
            fees[partner.id] = max((last[partner.id][kind] for kind in kinds if kind in last[partner.id]),
                                   default=None)
        per_invoice = self.sudo()._read_group(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id), ("invoice_id", "!=", False)],
            ["invoice_id", "kind"], ["date_to:max"],
        )
        compensated = {invoice.id for invoice, kind, _day in per_invoice if kind == "compensation"}
        interest_until = {invoice.id: day for invoice, kind, day in per_invoice if kind == "interest"}
        return {"last_fee": fees, "compensated": compensated, "interest_until": interest_until}

    @api.model
    def _charge_invoice(self, invoice, history):
        """An overdue invoice as the charges see it: its total, and the payments made on it with their dates."""
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        partials = receivable.matched_credit_ids
        sign = 1 if invoice.amount_total_signed >= 0 else -1
        return ChargeInvoice(
            id=invoice.id,
            due_date=invoice.invoice_date_due,
            principal=invoice.amount_total_signed * sign,
            payments=tuple((partial.max_date, partial.amount) for partial in partials),
            label=invoice.name or str(invoice.id),
            compensated=invoice.id in history["compensated"],
            interest_until=history["interest_until"].get(invoice.id),
        )

    @api.model
    def _notes(self, case, notes, profile):
        """``[(case, description)]``: what the run clamped or did not charge, and why, for the case to say
        (and in the server log); the description is a Text, read in the reader's language (``texts.py``)."""
        if not notes:
            return []
        messages = [(note.code, self._note_message(note, profile)) for note in notes]
        reader = Reader(self.env, case.company_id)
        for _code, message in messages:
            _logger.warning("Collections charges of %s: %s", case.name, reader.render(to_data(message)))
        # Without a legal profile or margin interest is simply not charged: the server log says it, not every case.
        shown = [message for code, message in messages if code != rules.NO_MARGIN]
        return [(case, shown[0] if len(shown) == 1 else Listed(*shown, sep=" "))] if shown else []

    @api.model
    def _note_message(self, note, profile):
        """The Text of one note: amounts as numbers (read as money), the legal profile by its name."""
        name = profile.name or ""
        messages = {
            rules.FEE_CAPPED: lambda: Text(FEE_CAPPED, asked=money(note.value), limit=money(note.limit),
                                           profile=name),
            rules.FEE_TOO_EARLY: lambda: Text(FEE_TOO_EARLY, days=int(note.value), limit=int(note.limit),
                                              profile=name),
            rules.FEE_TOO_SOON: lambda: Text(FEE_TOO_SOON, days=int(note.value), limit=int(note.limit),
                                             profile=name),
            rules.COMPENSATION_CAPPED: lambda: Text(COMPENSATION_CAPPED, asked=money(note.value),
                                                    limit=money(note.limit), profile=name),
            rules.COMPENSATION_NOT_FOR_CONSUMERS: lambda: Text(COMPENSATION_NOT_FOR_CONSUMERS, profile=name),
            rules.MARGIN_CAPPED: lambda: Text(MARGIN_CAPPED, asked=note.value, limit=note.limit, profile=name),
            rules.NO_MARGIN: lambda: Text(NO_MARGIN),
            rules.NO_REFERENCE_RATE: lambda: Text(NO_REFERENCE_RATE, invoice=note.invoice_label),
        }
        return messages[note.code]()

    # ------------------------------------------------------------------ posting

    def _post(self, how, today):
        """Post the charged (not waived) lines of each step as ``how`` says: ``invoice``, ``entry`` or ``none``.

        Returns ``[(case, description)]`` of the cases whose charges could not be posted.
        """
        if how not in ("invoice", "entry"):
            return []
        by_event = defaultdict(lambda: self.browse())
        for charge in self.filtered(lambda charge: not charge.waived and charge.amount > 0):
            by_event[charge.event_id] |= charge
        if by_event and not self._income_journal().default_account_id:
            why = Text(CHARGES_NOT_POSTED)
            return [(case, why) for case in self.case_id]
        if not by_event:
            return []
        # one create and one posting for the whole batch's steps (a move per step, as before)
        groups = list(by_event.values())
        journal = self._income_journal()
        values = [group._invoice_values(today, journal) if how == "invoice" else group._entry_values(today, journal)
                  for group in groups]
        moves = self.env["account.move"].sudo().with_company(groups[0].case_id[:1].company_id).create(values)
        moves.action_post()
        for group, move in zip(groups, moves, strict=True):
            group.write({"move_id": move.id})
        return []

    def _income_journal(self):
        company = self.company_id[:1]
        return self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1
        )

    def _line_label(self):
        self.ensure_one()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        if self.kind == "interest":
            return _("%(kind)s on %(invoice)s, %(start)s to %(end)s (%(days)s days at %(rate)s %%)",
                     kind=kinds[self.kind], invoice=self.invoice_id.name, start=format_date(self.env, self.date_from),
                     end=format_date(self.env, self.date_to),
                     days=self.days, rate=formatLang(self.env, self.rate))
        if self.invoice_id:
            return _("%(kind)s for %(invoice)s", kind=kinds[self.kind], invoice=self.invoice_id.name)
        return kinds[self.kind]

    def _create_invoice(self, today):
        """A separate customer invoice of these charges; excluded from follow-up (no charges on charges)."""
        return self.env["account.move"].sudo().with_company(self.case_id[:1].company_id).create(
            self._invoice_values(today))

    def _invoice_values(self, today, journal=None):
        """The values of :meth:`_create_invoice`'s invoice (in ``journal``, else the company's sales journal)."""
        case = self.case_id[:1]
        journal = journal or self._income_journal()
        return {
            "move_type": "out_invoice",
            "partner_id": case.partner_id.id,
            "journal_id": journal.id,
            "invoice_date": today,
            "invoice_date_due": today + timedelta(days=CHARGE_DUE_DAYS),
            "invoice_origin": case.name,
            "dunning_excluded": True,
            "dunning_exclusion_reason": _("Collection charges of %(case)s.", case=case.name),
            "invoice_line_ids": [
                Command.create({
                    "name": charge.with_context(lang=case.partner_id.lang or self.env.lang)._line_label(),
                    "quantity": 1,
                    "price_unit": charge.amount,
                    "tax_ids": [Command.clear()],
                    "account_id": journal.default_account_id.id,
                })
                for charge in self
            ],
        }

    def _create_entry(self, today):
        """A journal entry: the customer's receivable debited, the sales journal's income account credited."""
        return self.env["account.move"].sudo().with_company(self.case_id[:1].company_id).create(
            self._entry_values(today))

    def _entry_values(self, today, journal=None):
        """The values of :meth:`_create_entry`'s journal entry (in ``journal``, else the company's sales journal)."""
        case = self.case_id[:1]
        journal = journal or self._income_journal()
        receivable = case.partner_id.with_company(case.company_id).property_account_receivable_id
        total = sum(self.mapped("amount"))
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "date": today,
            "ref": _("Collection charges of %(case)s.", case=case.name),
            "line_ids": [
                Command.create({"name": _("Collection charges of %(case)s.", case=case.name),
                                "partner_id": case.partner_id.id, "account_id": receivable.id,
                                "debit": total, "credit": 0.0,
                                "date_maturity": today + timedelta(days=CHARGE_DUE_DAYS)}),
                *(Command.create({"name": charge._line_label(), "partner_id": case.partner_id.id,
                                  "account_id": journal.default_account_id.id, "debit": 0.0, "credit": charge.amount})
                  for charge in self),
            ],
        }

    # ------------------------------------------------------------------ the itemised block of a message

    @api.model
    def _lines_for_message(self, cases):
        """``{case id: Markup}``: the charged lines of each case's last step, itemised for the customer."""
        if not cases:
            return {}
        self.env["dunning.case.event"].flush_model()
        rows = self.env.execute_query(SQL(
            """
            SELECT case_id, MAX(id) FROM dunning_case_event
             WHERE kind = 'step' AND case_id = ANY(%s) GROUP BY case_id
            """, cases.ids,
        ))
        last_steps = [event_id for _case_id, event_id in rows]
        return self.sudo().search([("event_id", "in", last_steps), ("waived", "=", False)], order="id")._itemised()

    def _itemised(self):
        """``{case id: Markup}``: these charges' charged (not waived) lines per case, with their total and the
        moves they are booked on, in the customer's language (``dunning_charges_table``)."""
        result = {}
        charged = self.filtered(lambda charge: not charge.waived).sorted("id")
        for case in charged.case_id:
            mine = charged.filtered(lambda charge, case=case: charge.case_id == case)
            lang = case.partner_id.lang or self.env.lang
            mine, case = mine.with_context(lang=lang), case.with_context(lang=lang)  # words, dates and amounts
            result[case.id] = Markup(self.env["ir.qweb"].with_context(lang=lang)._render(
                "customer_aware_dunning.dunning_charges_table", {
                    "lines": [(charge._line_label(), case._format_amount(charge.amount)) for charge in mine],
                    "total": case._format_amount(sum(mine.mapped("amount"))),
                    "moves": mine.move_id,
                },
            ))
        return result
