"""The demo's past: closed collection cases with their steps, outcomes, ratings and repurchases.

A mixin of :class:`.generator.DemoGenerator` (it shares its ``env``); only the demo data calls it.
"""

from datetime import datetime, time, timedelta

from odoo import Command

from ..policy.step_keys import make_step_key
from ..policy.text import Joined, Text
from ..texts import APPROVED_BY, CLOSED, OPENED, step_done, step_title, to_data

# The closed cases of the past: outcome, rating (None: not rated) and the customer's comment.
# The latest late-paid invoices of at most ten customers get them, shortest delay first: the
# longest delays end in a write-off, a payment plan and the case whose letter went out.
DEMO_CLOSED_CASES = [
    ("paid", 5, "Friendly reminders, and the invoice copy came right away. Thank you."),
    ("paid", 4, "Fair and polite. A phone call first would have been nicer."),
    ("paid", None, ""),
    ("paid", 5, "Quick to sort out once we found the missing purchase order."),
    ("paid", 3, "Too many emails in a short time, but the tone was correct."),
    ("paid", 5, "Our accountant was away; you were patient. Much appreciated."),
    ("paid", 4, "Clear reminders with the invoice attached."),
    ("written_off", None, ""),
    ("payment_plan", 4, "The instalments made it possible for us; the plan was clear."),
    ("paid", 1, "A formal letter after years of working together felt harsh."),
]


class ClosedCaseHistory:
    """Closed cases of the past for customers who paid late, as if the daily run had followed them up."""

    def _dunning_demo_closed_cases(self, company, moves, plans, today):
        """Closed cases of the past for the customers who paid an invoice late, with ratings and repurchases.

        One case per customer, for its latest invoice paid at least five days late
        (and long enough ago that the daily run would not ask for a rating any more):
        opened the day after the due date, closed on the payment date.
        """
        Case = self.env["dunning.case"].sudo().with_context(tracking_disable=True, mail_create_nolog=True)
        policy = self.env["dunning.policy"].sudo()._active_for(company)
        spec = policy._get_spec()
        if spec is None:
            return Case.browse()
        latest = {}
        for move, (partner, _segment, invoice) in zip(moves, plans, strict=True):
            late = invoice["paid_late"]
            if late is None or late < 5 or invoice["due"] + timedelta(days=late) >= today - timedelta(days=15):
                continue
            if move.dunning_case_id or move.payment_state not in ("paid", "in_payment"):
                continue
            if partner not in latest or latest[partner][1]["due"] < invoice["due"]:
                latest[partner] = (move, invoice)
        # the longest delays take the outcomes and the letter at the end of DEMO_CLOSED_CASES
        picked = sorted(latest.items(), key=lambda item: (item[1][1]["paid_late"], item[1][0].id))
        picked = picked[-len(DEMO_CLOSED_CASES):]
        stories = DEMO_CLOSED_CASES[-len(picked):] if picked else []
        rows = []
        for (partner, (move, invoice)), (outcome, score, feedback) in zip(picked, stories, strict=True):
            segment = partner.with_company(company).dunning_segment_id
            journey = spec.journey_for_segment(segment.key) if segment else None
            opened_on = invoice["due"] + timedelta(days=1)
            closed_on = invoice["due"] + timedelta(days=invoice["paid_late"])
            rows.append({
                "partner": partner, "move": move, "invoice": invoice, "outcome": outcome, "score": score,
                "feedback": feedback, "segment": segment, "journey": journey,
                "opened_on": opened_on, "closed_on": closed_on,
            })
        if not rows:
            return Case.browse()
        harsh = rows[-1]  # the longest delay: its journey's letter went out
        for row in rows:
            row["steps"] = self._dunning_demo_past_steps(row, letter=row is harsh)
        rows.sort(key=lambda row: (row["opened_on"], row["move"].id))  # case numbers follow the dates
        cases = Case.create([
            {
                "partner_id": row["partner"].id,
                "company_id": company.id,
                "user_id": row["partner"].user_id.id,
                "segment_id": row["segment"].id,
                "journey": row["journey"].key if row["journey"] else False,
                "current_step_data": to_data(step_title(row["steps"][-1][1])) if row["steps"] else None,
                "policy_version": policy.display_name,
                "state": "closed",
                "outcome": row["outcome"],
                "opened_on": row["opened_on"],
                "closed_on": row["closed_on"],
                "amount_at_open": row["move"].amount_total_signed,
                "amount_overdue": 0.0,
                # a write-off: the customer paid most of it, the rest was given up
                "amount_recovered": row["move"].amount_total_signed * (0.6 if row["outcome"] == "written_off" else 1),
                "satisfaction_requested_on": (
                    row["closed_on"] + timedelta(days=spec.satisfaction.ask_days_after_close)
                    if row["outcome"] in spec.satisfaction.ask_on_outcomes else False
                ),
            }
            for row in rows
        ])
        Case._link_invoices({case: row["move"] for case, row in zip(cases, rows, strict=True)})
        self._dunning_demo_past_events(cases, rows)
        self._dunning_demo_past_ratings(cases, rows, spec)
        Case._measure_repurchases(company, spec, today)
        self.env["dunning.partner.facts"]._refresh(company, today)
        return cases

    def _dunning_demo_past_steps(self, row, letter=False):
        """``(index, step)`` of the journey's emails due while the invoice was late, and its letter if ``letter``."""
        journey = row["journey"]
        if not journey:
            return []
        done = []
        for index, step in enumerate(journey.steps):
            when = row["invoice"]["due"] + timedelta(days=step.day)
            if step.day <= 0 or not row["opened_on"] <= when < row["closed_on"]:
                continue
            if step.send == "email" or (letter and step.send == "letter"):
                done.append((index, step))
        return done

    def _dunning_demo_past_events(self, cases, rows):
        def at(day):
            return datetime.combine(day, time(7, 0))

        values = []
        for case, row in zip(cases, rows, strict=True):
            move = row["move"]
            common = {"case_id": case.id, "invoice_ids": [Command.set(move.ids)]}
            values.append({**common, "kind": "opened", "date": at(row["opened_on"]),
                           "description_data": to_data(Text(OPENED, count=1, amount=case.amount_at_open))})
            for index, step in row["steps"]:
                values.append({
                    **common, "kind": "step", "date": at(row["invoice"]["due"] + timedelta(days=step.day)),
                    "description_data": to_data(step_done(step, 1)),
                    "rule_data": to_data(Joined(step.label(index), Text(APPROVED_BY, user="a Collections manager")
                                                if step.approve else Text())),
                    "journey": row["journey"].key, "step_index": index, "channel": step.send, "harsh": step.harsh,
                    "step_key": make_step_key(row["journey"].key, step, move.ids),
                    "policy_version": case.policy_version,
                })
            reason = {
                "paid": "Every invoice of the case is settled.",
                "payment_plan": "The customer paid in three instalments as agreed.",
                "written_off": "The customer paid part of it; the rest was written off.",
            }[row["outcome"]]
            values.append({
                **common, "kind": "closed", "date": at(row["closed_on"]),
                "description_data": to_data(Text(CLOSED, outcome=row["outcome"], why=reason,
                                                 amount=case.amount_recovered)),
            })
        self.env["dunning.case.event"].sudo().create(values)

    def _dunning_demo_past_ratings(self, cases, rows, spec):
        rated = [
            (case, row) for case, row in zip(cases, rows, strict=True)
            if row["score"] and case.satisfaction_requested_on
        ]
        ratings = self.env["rating.rating"].sudo().create([
            {
                "res_model_id": self.env["ir.model"]._get_id("dunning.case"),
                "res_id": case.id,
                "partner_id": case.partner_id.id,
                "rated_partner_id": case.user_id.partner_id.id,
                "rating": row["score"],
                "feedback": row["feedback"],
                "consumed": True,
            }
            for case, row in rated
        ])
        for rating, (case, _row) in zip(ratings, rated, strict=True):
            rating.rated_on = datetime.combine(case.satisfaction_requested_on + timedelta(days=1), time(9, 0))
        return ratings
