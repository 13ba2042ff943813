"""What the daily run reads before it decides: facts, segments and the engine's inputs, set-based.

The same reads serve the daily run, the dry run (:meth:`_simulate`) and the command line.
"""

from contextlib import suppress

from odoo import api, models
from odoo.tools import split_every

from ..policy.engine import CaseInput, InvoiceInput, assign_segment, decide
from ..policy.preview import preview
from ..run_values import Rollback, Simulation, deal_answer

# The open invoices' fields the engine reads (dunning.run._open_invoice_rows): stored columns of account_move.
INVOICE_FIELDS = ("commercial_partner_id", "invoice_date_due", "amount_residual_signed", "dunning_excluded",
                  "dunning_delay_reason_id", "dunning_delay_reason_date", "dunning_promise_date", "name",
                  "currency_id", "amount_residual")
# Customers segmented per chunk of the daily run's segment assignment (each chunk leaves the ORM cache).
SEGMENT_CHUNK = 1000


class DunningRun(models.AbstractModel):
    _inherit = "dunning.run"

    @api.model
    def _open_invoices_domain(self, company):
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
        ]

    # ------------------------------------------------------------------ engine inputs

    @api.model
    def _assign_segments(self, company, spec, facts=None, chunk=None):
        """Segment every customer of ``company`` by the rules of ``spec`` (hand-set segments are left alone).

        Without ``facts``, by chunks of ``chunk`` (default :data:`SEGMENT_CHUNK`) customers, each leaving the
        ORM cache: read in one go, every customer's facts, partner and pipeline stayed in memory at once
        (peak RSS 656 MiB at 50,000 customers, and the phase took 14 times the CPU of 10,000 for 5 times
        the customers).
        """
        if facts is None:
            rows = self.env["dunning.partner.facts"].sudo().search_fetch(
                [("company_id", "=", company.id)], ["partner_id"], order="partner_id")
            partner_ids = rows.mapped("partner_id").ids
            for part in split_every(chunk or SEGMENT_CHUNK, partner_ids, list):
                partners = self.env["res.partner"].browse(part)
                facts = self.env["dunning.partner.facts"]._policy_facts(company, partners)
                self._assign_segments(company, spec, facts)
                self.env.invalidate_all()
            return None
        segments = self.env["dunning.segment"]._for_company(company)
        assignment = {}
        for partner, values in facts.items():
            key, _index = assign_segment(spec, values)
            if key in segments:
                assignment[partner] = segments[key]
        return self.env["res.partner"].with_company(company)._dunning_set_rule_segments(assignment)

    @api.model
    def _case_inputs(self, company, today, partners=None):
        """``{commercial partner: CaseInput}`` for every customer of ``company`` with an invoice left to pay.

        Set-based: one read of the open invoices, one of the cases, one of the
        steps done, one of the segments and the facts, whatever the number of
        customers.  Reads only; the facts are taken as they are (refresh them
        first for ``today``).
        """
        Move = self.env["account.move"].sudo()
        domain = self._open_invoices_domain(company)
        if partners is not None:
            domain.append(("commercial_partner_id", "in", partners.commercial_partner_id.ids))
        invoices = self._open_invoice_rows(domain)
        # The invoices a closed case's outcome keeps (a payment plan, a hand-over, a write-off) are not followed up.
        held = set(Move.search([*domain, ("dunning_held_by_outcome", "=", True)]).ids)
        customers = self.env["res.partner"].browse({row["commercial_partner_id"] for row in invoices})
        reason_ids = {row["dunning_delay_reason_id"] for row in invoices if row["dunning_delay_reason_id"]}
        reason_keys = {reason.id: reason.key for reason in self.env["dunning.delay.reason"].sudo().browse(reason_ids)}
        currency_codes = {currency.id: currency.name for currency in self.env["res.currency"].browse(
            {row["currency_id"] for row in invoices})}
        by_partner = {}
        for row in invoices:
            by_partner.setdefault(row["commercial_partner_id"], []).append(InvoiceInput(
                id=row["id"],
                due_date=row["invoice_date_due"],
                amount_residual=row["amount_residual_signed"],
                excluded=row["dunning_excluded"] or row["id"] in held,
                delay_reason=reason_keys.get(row["dunning_delay_reason_id"]),
                delay_reason_since=row["dunning_delay_reason_date"] or None,
                promised_date=row["dunning_promise_date"] or None,
                name=row["name"],
                currency=currency_codes[row["currency_id"]],
                amount_currency=row["amount_residual"],
            ))
        cases = self._open_cases_by_partner(company, customers)
        facts = self.env["dunning.partner.facts"]._policy_facts(company, customers)
        credits = self.env["dunning.credit"]._open_credits_by_currency(company, customers)
        segmented = customers.with_company(company).sudo()
        segmented.fetch(["dunning_segment_id", "dunning_segment_manual", "dunning_manual_only",
                         "dunning_next_action_on"])
        result = {}
        for partner in customers:
            case = cases.get(partner.id, {})
            manual = segmented.browse(partner.id)
            result[partner] = CaseInput(
                invoices=tuple(by_partner[partner.id]),
                facts=facts.get(partner, {}),
                segment=manual.dunning_segment_id.key if manual.dunning_segment_manual else None,
                segment_manual=bool(manual.dunning_segment_manual and manual.dunning_segment_id),
                # A pause the policy made is the policy's to lift: the engine looks at its reasons again.
                state="open" if case.get("paused_by") == "policy" else case.get("state"),
                done_step_keys=case.get("done", frozenset()),
                pause_until=case.get("pause_until") or None,
                journey=case.get("journey") or None,
                credits=credits.get(partner.id, {}),
                manual_only=bool(manual.dunning_manual_only),
                next_action_on=manual.dunning_next_action_on or None,
                deal_answer=deal_answer(case),
            )
        return result

    @api.model
    def _open_invoice_rows(self, domain):
        """What ``search_read(domain, INVOICE_FIELDS, order="invoice_date_due, id", load=None)`` gives on the
        invoices, as dicts, read in one statement: the ORM's reading and formatting of every open invoice's
        fields was the biggest cost of a steady day (15 s of 148 in its profile at 10,000 customers)."""
        Move = self.env["account.move"].sudo()
        query = Move._search(domain, order="invoice_date_due, id")
        columns = ("id", *INVOICE_FIELDS)
        rows = self.env.execute_query(query.select(*(Move._field_to_sql(Move._table, name, query)
                                                     for name in columns)))
        # as search_read: False where the column is NULL
        return [{name: False if value is None else value for name, value in zip(columns, row, strict=True)}
                for row in rows]

    @api.model
    def _open_cases_by_partner(self, company, customers):
        """``{partner id: {state, pause_until, journey, done}}`` of the cases not closed, with their step keys."""
        cases = self.env["dunning.case"].sudo().search_read(
            [("company_id", "=", company.id), ("partner_id", "in", customers.ids), ("state", "!=", "closed")],
            ["partner_id", "state", "paused_by", "pause_until", "journey", "deal_hold_key", "deal_hold_outcome",
             "deal_held_until"], load=None,
        )
        events = self.env["dunning.case.event"].sudo().search_read(
            [("case_id", "in", [case["id"] for case in cases]), ("step_key", "!=", False)], ["case_id", "step_key"],
            load=None,
        )
        done = {}
        for event in events:
            done.setdefault(event["case_id"], set()).add(event["step_key"])
        return {
            case["partner_id"]: {**case, "done": frozenset(done.get(case["id"], ()))} for case in cases
        }

    # ------------------------------------------------------------------ simulation

    @api.model
    def _simulate(self, company, spec, today, partners=None, days=0):
        """What ``spec`` would do for every customer of ``company`` on ``today`` and up to ``today + days``.

        No side effects: the facts are refreshed for ``today`` inside a
        savepoint that is rolled back, the engine decides on plain values.
        Returns a list of :class:`Simulation`, by customer name.
        """
        inputs = self._case_inputs_as_of(company, today, partners)
        simulations = [
            Simulation(
                partner=partner,
                case=case,
                decision=decide(spec, case, today),
                upcoming=tuple(preview(spec, case, today, days)) if days else (),
            )
            for partner, case in inputs.items()
        ]
        return sorted(simulations, key=lambda simulation: (simulation.partner.name or "", simulation.partner.id))

    @api.model
    def _case_inputs_as_of(self, company, today, partners=None):
        """:meth:`_case_inputs` with the facts as of ``today``, leaving the stored facts as they were."""
        inputs = {}
        with suppress(Rollback), self.env.cr.savepoint():
            self.env["dunning.partner.facts"].sudo()._refresh(company, today, partners=partners)
            inputs = self._case_inputs(company, today, partners)
            raise Rollback
        self.env["dunning.partner.facts"].invalidate_model()
        return inputs
