import logging
import random
from datetime import date, timedelta

from odoo import Command, fields

from ..policy.charges import reference_rate_on
from .closed_cases import ClosedCaseHistory
from .credit_notes import create_credit_note_demo

_logger = logging.getLogger(__name__)

DEMO_MARKER = "customer_aware_dunning demo"

# name, segment key, salesperson (xml id), city, days the latest invoice is overdue (None: not due yet)
DEMO_CUSTOMERS = [
    ("Nordic Timber Group", "strategic", "base.user_admin", "Turku", 12),
    ("Baltic Freight Lines", "strategic", "base.user_demo", "Helsinki", 25),
    ("Aurora Hospital Supplies", "strategic", "base.user_admin", "Oulu", None),
    ("Kestrel Engineering", "strategic", "base.user_demo", "Tampere", 4),
    ("Harbour Bakery", "loyal", "base.user_demo", "Porvoo", 9),
    ("Lakeside Dental Clinic", "loyal", "base.user_admin", "Lahti", None),
    ("Pine & Birch Interiors", "loyal", "base.user_demo", "Kuopio", 18),
    ("Midsummer Events", "loyal", "base.user_admin", "Espoo", None),
    ("Granite Tools", "loyal", "base.user_demo", "Vaasa", 3),
    ("Reindeer Outdoor Gear", "loyal", "base.user_admin", "Rovaniemi", None),
    ("Saimaa Boatyard", "loyal", "base.user_demo", "Savonlinna", 30),
    ("Frostbite Logistics", "at_risk", "base.user_admin", "Kotka", 45),
    ("Quickprint Studio", "at_risk", "base.user_demo", "Jyväskylä", 20),
    ("Copperleaf Restaurants", "at_risk", "base.user_admin", "Helsinki", 75),
    ("Northwind Construction", "at_risk", "base.user_demo", "Pori", 110),
    ("Silverline Media", "at_risk", "base.user_admin", "Turku", 60),
    ("Cloudberry Software", "new", "base.user_demo", "Espoo", 15),
    ("Fjord Fitness", "new", "base.user_admin", "Tampere", None),
    ("Little Owl Daycare", "new", "base.user_demo", "Joensuu", 8),
    ("Polar Solar", "new", "base.user_admin", "Oulu", 16),
    ("Arctic Coffee Roasters", "new", "base.user_demo", "Helsinki", None),
    ("Moss & Stone Gardens", "new", "base.user_admin", "Hämeenlinna", 2),
    ("Bluewave Cleaning", "standard", "base.user_demo", "Vantaa", 22),
    ("Tundra Textiles", "standard", "base.user_admin", "Lappeenranta", 35),
    ("Kalevala Books", "standard", "base.user_demo", "Kajaani", 50),
    ("Sisu Security", "standard", "base.user_admin", "Seinäjoki", None),
    ("Archipelago Ferries", "standard", "base.user_demo", "Naantali", 14),
    ("Evergreen Pharmacy", "standard", "base.user_admin", "Kouvola", 7),
    ("Ironclad Machinery", "standard", "base.user_demo", "Rauma", 90),
    ("Blue Lagoon Spa", "standard", "base.user_admin", "Mikkeli", None),
]

# Customers who read us in Finnish (the product's first users are Finnish companies): their
# reminders, letters and answer page come in Finnish.
DEMO_FINNISH_CUSTOMERS = ("Nordic Timber Group", "Archipelago Ferries")
DEMO_FINNISH = "fi_FI"

# The Finnish company (demo/dunning_demo.xml), where the Finnish legal profile applies. Its customers
# read us in Finnish: name, a business (else a consumer), city, days the invoice is overdue on the
# run day, amount, line. Both are "new" customers on the standard journey, whose step of day 15 is
# the second reminder with a reminder fee and late-payment interest.
DEMO_FI_MARKER = "customer_aware_dunning Finnish demo"
DEMO_FI_CUSTOMERS = [
    ("Aino Virtanen", False, "Tampere", 18, 480.0, "Kotisivujen ylläpito"),
    ("Kaarnapuu Oy", True, "Jyväskylä", 22, 3200.0, "Asennus ja käyttöönotto"),
]
# The shipped default's second reminder of the standard journey, and the same step over the consumer limit.
DEMO_FI_STEP = "{day: 15, send: email, template: second_reminder, fee: 5, interest: true}"
DEMO_FI_OVER_LIMIT_STEP = "{day: 15, send: email, template: second_reminder, fee: 10, interest: true}"
DEMO_FI_OVER_LIMIT_NAME = "Reminder fee EUR 10 (draft, over the limit)"

# The customer with an agreed three-instalment payment plan (its delay reason is cash flow).
DEMO_PLAN_CUSTOMER = "Frostbite Logistics"

LINE_LABELS = ["Consulting", "Annual maintenance", "Installation", "Training day", "Spare parts", "Support plan"]


class DemoGenerator(ClosedCaseHistory):
    """Demo data: about thirty customers with a payment history, so the screens look lived in.

    Each segment gets customers whose measured facts lead the default policy's
    rules to that very segment (strategic by revenue, loyal by seniority and
    punctuality, at risk by lateness, new by age, standard otherwise).  Dates
    are relative to the day of installation.  The daily run's work then opens
    the collection cases.

    Not a model: only the demo data file calls it, through ``dunning.case``'s
    ``_create_demo_data`` and ``_create_finnish_demo`` (``models/dunning_case_demo.py``),
    so production databases register nothing for it.
    """

    def __init__(self, env):
        self.env = env

    def _dunning_create_demo_data(self):
        company = self.env.ref("base.main_company")
        if self.env["res.partner"].search_count([("comment", "ilike", DEMO_MARKER)], limit=1):  # stored as HTML
            return
        env = self.env["res.company"].with_company(company).env
        today = fields.Date.context_today(self.env["res.company"])
        rng = random.Random(19)
        segments = {
            segment.key: segment
            for segment in env["dunning.segment"].search(
                [("company_id", "in", [False, company.id])], order="company_id NULLS FIRST, id"
            )
        }
        partners = env["res.partner"].create([
            {
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                "city": city,
                "country_id": env.ref("base.fi").id,
                "email": "accounts@{}.example.com".format("".join(c for c in name.lower() if c.isalnum())[:20]),
                "user_id": env.ref(salesperson).id,
                "comment": DEMO_MARKER,
            }
            for name, _segment, salesperson, city, _overdue in DEMO_CUSTOMERS
        ])
        if self._dunning_demo_finnish():
            partners.filtered(lambda partner: partner.name in DEMO_FINNISH_CUSTOMERS).lang = DEMO_FINNISH
        plans = [
            (partner, segment, invoice)
            for partner, (_name, segment, _user, _city, overdue) in zip(partners, DEMO_CUSTOMERS, strict=True)
            for invoice in self._dunning_demo_history(segment, overdue, rng, today)
        ]
        plans.sort(key=lambda plan: plan[2]["issued"])
        moves = self._dunning_demo_invoices(company, plans)
        self._dunning_demo_payments(moves, plans)
        env["res.partner"]._dunning_set_rule_segments({
            partner: segments[row[1]] for partner, row in zip(partners, DEMO_CUSTOMERS, strict=True)
        })
        self._dunning_demo_customer_answers(partners, moves, today)
        create_credit_note_demo(env, company, today, DEMO_MARKER)  # customers with credit notes to apply
        # The daily run's work for this company, without its per-company commit
        # (demo data loads inside a savepoint that a commit would break).
        env["dunning.run"].with_context(lang=env.user.lang or "en_US")._run_company(company, today)
        self._dunning_demo_payment_plan(partners, today)
        closed = self._dunning_demo_closed_cases(company, moves, plans, today)
        _logger.info("Collections demo: %d customers, %d invoices, %d closed cases",
                     len(partners), len(moves), len(closed))

    def _dunning_create_finnish_demo(self, company_ids):
        """The Finnish company's demo: its chart of accounts, two Finnish-speaking customers with an
        overdue invoice each, the daily run, and a draft policy over the legal limit to try.

        The run's day is today when the reference-rate table has a rate for it, else the last day of
        the latest half-year in the table: the reminders' interest is then charged for every day
        (a rate is never made up; add the new half-year's rate and later runs use it).
        """
        company = self.env["res.company"].browse(company_ids)
        if self.env["res.partner"].search_count(
            [("comment", "ilike", DEMO_FI_MARKER), ("company_id", "=", company.id)], limit=1
        ):
            return
        if not company.chart_template:
            # What try_loading does, without its warning about a registry still loading this module.
            # The generic chart is American: the company stays Finnish, in euros.
            self.env["account.chart.template"]._load("generic_coa", company, install_demo=False)
            company.write({"currency_id": self.env.ref("base.EUR").id,
                           "account_fiscal_country_id": self.env.ref("base.fi").id})
        env = self.env["res.company"].with_company(company).env
        if not env["res.lang"].search_count([("code", "=", DEMO_FINNISH)]):
            self._dunning_demo_finnish()
        run_day = self._dunning_demo_rated_day(company, fields.Date.context_today(self.env["res.company"]))
        partners = env["res.partner"].create([
            {
                "name": name,
                "is_company": business,
                "customer_rank": 1,
                "city": city,
                "country_id": env.ref("base.fi").id,
                "email": "{}@example.com".format("".join(c for c in name.lower() if c.isalnum())),
                "lang": DEMO_FINNISH,
                "user_id": env.ref("base.user_admin").id,
                "company_id": company.id,
                "comment": DEMO_FI_MARKER,
            }
            for name, business, city, _overdue, _amount, _label in DEMO_FI_CUSTOMERS
        ])
        plans = [
            (partner, "new", {
                "issued": run_day - timedelta(days=30 + overdue), "due": run_day - timedelta(days=overdue),
                "amount": amount, "label": label, "paid_late": None, "paid_part": None,
            })
            for partner, (_name, _business, _city, overdue, amount, label) in zip(
                partners, DEMO_FI_CUSTOMERS, strict=True)
        ]
        moves = self._dunning_demo_invoices(company, plans)
        env["dunning.run"].with_context(lang=env.user.lang or "en_US")._run_company(company, run_day)
        Policy = env["dunning.policy"].sudo()
        text = Policy._active_for(company).yaml_text or ""
        if DEMO_FI_STEP in text:
            Policy.create({
                "name": DEMO_FI_OVER_LIMIT_NAME, "company_id": company.id,
                "yaml_text": text.replace(DEMO_FI_STEP, DEMO_FI_OVER_LIMIT_STEP),
            })
        _logger.info("Collections demo in %s: %d Finnish-speaking customers, %d invoices, run of %s",
                     company.name, len(partners), len(moves), run_day)

    def _dunning_demo_rated_day(self, company, today):
        """``today`` when the reference-rate table of ``company`` has a rate for it, else the end of its
        latest half-year."""
        rates = self.env["dunning.reference.rate"]._rates_for(company)
        if not rates or reference_rate_on(rates, today) is not None:
            return today
        start = rates[-1].date_from
        return date(start.year, 6, 30) if start.month < 7 else date(start.year, 12, 31)

    def _dunning_demo_finnish(self):
        """Finnish installed as Settings > Languages does, and this module's terms loaded at once.

        The module is still being installed, so Odoo would load its terms only after the
        demo's daily run: the Finnish-speaking customers' first reminders would be English.
        """
        lang = self.env["res.lang"]._activate_and_install_lang(DEMO_FINNISH)
        if not lang:
            return False
        self.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])._update_translations(
            [DEMO_FINNISH]
        )
        return True

    # ------------------------------------------------------------------ history

    def _dunning_demo_history(self, segment, overdue_days, rng, today):
        """Invoices of one customer: ``issued`` and ``due`` dates, amount, and how it was paid.

        The latest invoice is open: overdue by ``overdue_days``, or not due yet.
        Earlier ones were paid ``paid_late`` days after their due date
        (negative: early), or are still open when that day is still to come;
        ``paid_part`` pays only that share of an open invoice.
        """
        # count, customer since (days), amounts, days late when paid
        shapes = {
            "strategic": (8, rng.randint(850, 1000), (15000, 30000), (-5, 3)),
            "loyal": (8, rng.randint(800, 1000), (1000, 5000), (-10, 0)),
            "at_risk": (6, rng.randint(400, 700), (1000, 4000), (35, 70)),
            "new": (rng.randint(1, 3), rng.randint(90, 170), (500, 3000), (-5, 0)),
            "standard": (7, rng.randint(250, 700), (800, 6000), (-5, 0)),
        }
        count, since, (low, high), (early, late) = shapes[segment]
        last_issued = today - timedelta(days=30 + overdue_days if overdue_days else rng.randint(3, 25))
        first_issued = today - timedelta(days=since)
        step = (last_issued - first_issued).days // max(count - 1, 1)
        invoices = []
        for index in range(count):
            issued = last_issued if index == count - 1 else first_issued + timedelta(days=index * step)
            due = issued + timedelta(days=30)
            paid_late = rng.randint(early, late)
            if segment == "standard" and index in (2, 5):
                paid_late = rng.randint(5, 25)  # late now and then, mostly on time
            if index == count - 1 or due + timedelta(days=paid_late) >= today:
                paid_late = None
            invoices.append({
                "issued": issued,
                "due": due,
                "amount": round(rng.uniform(low, high), -1),
                "label": rng.choice(LINE_LABELS),
                "paid_late": paid_late,
                "paid_part": None,
            })
        if segment == "at_risk":
            # An older invoice left half paid: the long overdue ones.
            invoices[-2].update(paid_late=None, paid_part=0.5)
        return invoices

    def _dunning_demo_invoices(self, company, plans):
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        moves = self.env["account.move"].with_company(company).create([
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "journal_id": journal.id,
                "partner_id": partner.id,
                "invoice_user_id": partner.user_id.id,
                "invoice_date": invoice["issued"],
                "invoice_date_due": invoice["due"],
                "invoice_payment_term_id": False,
                "invoice_line_ids": [Command.create({
                    "name": invoice["label"], "quantity": 1, "price_unit": invoice["amount"], "tax_ids": [],
                })],
            }
            for partner, _segment, invoice in plans
        ])
        for move in moves:  # posted one by one, in date order, so the sequence follows the dates
            move.action_post()
        return moves

    def _dunning_demo_payments(self, moves, plans):
        for move, (_partner, _segment, invoice) in zip(moves, plans, strict=True):
            if invoice["paid_late"] is None and not invoice["paid_part"]:
                continue
            if invoice["paid_late"] is None:
                values = {"payment_date": invoice["issued"] + timedelta(days=20),
                          "amount": move.amount_total * invoice["paid_part"]}
            else:
                values = {"payment_date": invoice["due"] + timedelta(days=invoice["paid_late"])}
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create(values)._create_payments()

    # ------------------------------------------------------------------ what customers told us

    def _dunning_demo_customer_answers(self, partners, moves, today):
        """A few delay reasons, promises, a hand-set segment, an exclusion and a credit limit."""
        open_moves = moves.filtered(lambda m: m.payment_state in ("not_paid", "partial") and m.invoice_date_due < today)
        by_partner = {partner: open_moves.filtered(lambda m, p=partner: m.partner_id == p) for partner in partners}
        reason = {key: self.env.ref(f"customer_aware_dunning.delay_reason_{key}") for key in (
            "dispute", "cash_flow", "our_error", "waiting_po", "forgot", "insolvency",
        )}
        answers = [
            ("Baltic Freight Lines", "dispute", "The quantity on the last delivery is questioned.", None),
            ("Harbour Bakery", "forgot", "Their accountant was on holiday; paying next week.", 7),
            ("Frostbite Logistics", "cash_flow", "Lost a big client; asks to pay in three instalments.", 14),
            ("Northwind Construction", "insolvency", "Restructuring proceedings started.", None),
            ("Cloudberry Software", "our_error", "Invoiced the wrong licence count.", None),
            ("Tundra Textiles", "waiting_po", "Needs a purchase order number on the invoice.", 10),
        ]
        for name, key, note, promise_in in answers:
            invoices = by_partner[partners.filtered(lambda p, n=name: p.name == n)][:1]
            values = {"dunning_delay_reason_id": reason[key].id, "dunning_delay_note": note}
            if promise_in:
                values.update(dunning_promise_date=today + timedelta(days=promise_in),
                              dunning_promise_amount=invoices.amount_residual)
            invoices.write(values)
        # A small customer set by hand as strategic: a reference customer we want to keep.
        reference = partners.filtered(lambda p: p.name == "Little Owl Daycare")
        reference.dunning_segment_id = self.env.ref("customer_aware_dunning.segment_strategic")
        # An invoice settled by an offset agreement: no reminders for it.
        offset = by_partner[partners.filtered(lambda p: p.name == "Kalevala Books")][:1]
        offset.write({"dunning_excluded": True, "dunning_exclusion_reason": "Settled by an offset agreement."})
        # A customer over its credit limit.
        partners.filtered(lambda p: p.name == "Silverline Media").credit_limit = 2000

    def _dunning_demo_payment_plan(self, partners, today):
        """The customer short of cash agreed on the portal to pay in three monthly instalments."""
        customer = partners.filtered(lambda partner: partner.name == DEMO_PLAN_CUSTOMER)
        case = self.env["dunning.case"].search([("partner_id", "=", customer.id), ("state", "!=", "closed")], limit=1)
        if not case:
            return
        schedule, _problems = case._plan_preview(
            {"instalments": 3, "first_date": today + timedelta(days=7)}, today)
        if schedule:
            self.env["dunning.payment.plan"]._create_plans(case, schedule, "portal", agreed_on=today)
