import logging
from datetime import date, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import DunningCommon

DUE = date(2026, 6, 1)

POLICY = """
version: 1
segments:
  - key: loyal
    when: [[customer_since_days, ">=", 100000]]
  - key: standard
journeys:
  keep:
    segments: [loyal]
    steps:
      - {day: 21, send: email, template: second_reminder, fee: 5, interest: true}
  standard:
    segments: [standard]
    steps:
      - {day: 7, send: email, template: gentle_reminder}
      - {day: 21, send: email, template: second_reminder, fee: FEE, interest: true}
      - {day: 35, send: email, template: firm_reminder, customers: business, fee: 12, compensation: 40}
charges:
  post: POST
  waive_segments: [loyal]
"""


def day(offset):
    return DUE + timedelta(days=offset)


def policy_text(fee=5, post="none", steps=None):
    text = POLICY.replace("FEE", str(fee)).replace("POST", post)
    if steps is not None:
        start = text.index("  standard:\n    segments: [standard]\n    steps:\n") + len(
            "  standard:\n    segments: [standard]\n    steps:\n")
        end = text.index("charges:")
        text = text[:start] + steps + "\n" + text[end:]
    return text


@tagged("post_install", "-at_install")
class TestCharges(DunningCommon):
    """Reminder fees, recovery compensation and interest under the Finnish legal profile, in a Finnish company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.fi")
        cls.finland = cls.env.ref("customer_aware_dunning.legal_profile_fi")
        cls.Policy = cls.env["dunning.policy"]
        cls.Policy._ensure_default(cls.company)
        cls.consumer = cls.env["res.partner"].create({"name": "Maija Meikäläinen", "email": "maija@example.com"})
        cls.business = cls.env["res.partner"].create({
            "name": "Bertta Oy", "is_company": True, "email": "ap@bertta.example",
        })
        cls.loyal = cls.env["res.partner"].create({
            "name": "Aalto Oy", "is_company": True, "email": "ap@aalto.example",
        })

    def activate(self, text):
        policy = self.Policy.create({"company_id": self.company.id, "yaml_text": text})
        policy.action_activate()
        self.env["dunning.segment"]._for_company(self.company)  # segments are synced by the activation
        return policy

    def set_segment(self, partner, key):
        segment = self.env["dunning.segment"]._for_company(self.company)[key]
        partner.with_company(self.company).write({"dunning_segment_id": segment.id})

    def run_on(self, today):
        return self.env["dunning.run"]._run_company(self.company, today)

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)], order="id desc", limit=1)

    def refusal(self, text):
        with self.assertRaises(ValidationError) as caught:
            self.activate(text)
        return str(caught.exception).split("\n\n", 1)[1]

    # ------------------------------------------------------------------ shipped data

    def test_finland_profile_and_reference_rates_are_shipped_and_found_by_country(self):
        self.assertEqual(self.env["dunning.legal.profile"]._for_company(self.company), self.finland)
        limits = self.finland._limits()
        self.assertEqual(
            (limits.consumer_fee_max, limits.business_fee_max, limits.consumer_first_fee_days,
             limits.consumer_fee_interval_days, limits.business_fee_interval_days, limits.consumer_compensation_max,
             limits.business_compensation_max, limits.consumer_interest_margin, limits.business_interest_margin,
             limits.consumer_no_promotion),
            (5.0, 12.0, 14, 14, 10, 0.0, 40.0, 7.0, 8.0, True),
        )
        rates = {rate.date_from: rate.rate for rate in self.env["dunning.reference.rate"]._rates_for(self.company)}
        self.assertEqual((rates[date(2023, 1, 1)], rates[date(2024, 7, 1)], rates[date(2025, 1, 1)],
                          rates[date(2026, 1, 1)]), (2.5, 4.5, 3.5, 2.5))

    # ------------------------------------------------------------------ customer type

    def test_customer_type_comes_from_the_partner_and_can_be_set_by_hand(self):
        self.assertEqual(self.consumer.dunning_customer_type, "consumer")
        self.assertEqual(self.business.dunning_customer_type, "business")
        self.consumer.vat = "FI12345671"
        self.assertEqual(self.consumer.dunning_customer_type, "business", "a VAT number makes a business")
        self.consumer.dunning_customer_kind = "consumer"
        self.assertEqual(self.consumer.dunning_customer_type, "consumer")
        with self.assertRaises(AccessError):
            self.business.with_user(self.collections_user).write({"dunning_customer_kind": "consumer"})

    # ------------------------------------------------------------------ limits at activation

    def test_lawful_policy_activates(self):
        policy = self.activate(policy_text())
        self.assertEqual(policy.state, "active")

    def test_each_limit_refuses_activation_with_its_rule_and_step(self):
        cases = {
            "      - {day: 21, send: email, template: second_reminder, fee: 6}":
                "• Step 1 of journey standard charges consumers a reminder fee of 6.00\xa0€, but Finland allows at "
                "most 5.00\xa0€ per written payment reminder.",
            "      - {day: 21, send: email, template: second_reminder, fee: 13, customers: business}":
                "• Step 1 of journey standard charges businesses a reminder fee of 13.00\xa0€, but Finland allows at "
                "most 12.00\xa0€ per reminder.",
            "      - {day: 10, send: email, template: second_reminder, fee: 5}":
                "• Step 1 of journey standard charges consumers a reminder fee 10 days after the due date, but "
                "Finland allows the first charged reminder no earlier than 14 days after the due date.",
            "      - {day: 14, send: email, template: second_reminder, fee: 5, customers: consumer}\n"
            "      - {day: 21, send: email, template: firm_reminder, fee: 5, customers: consumer}":
                "• Step 2 of journey standard charges consumers a reminder fee 7 days after the previous charged "
                "reminder, but Finland requires at least 14 days between charged reminders.",
            "      - {day: 10, send: email, template: second_reminder, fee: 5, customers: business}\n"
            "      - {day: 15, send: email, template: firm_reminder, fee: 5, customers: business}":
                "• Step 2 of journey standard charges businesses 5 days after the previous charged demand, but "
                "Finland requires at least 10 days between charged demands.",
            "      - {day: 21, send: email, template: second_reminder, compensation: 40}":
                "• Step 1 of journey standard charges consumers a recovery compensation, but Finland allows none "
                "from consumers; make the step for businesses only (customers: business).",
            "      - {day: 21, send: email, template: second_reminder, compensation: 50, customers: business}":
                "• Step 1 of journey standard charges a recovery compensation of 50.00\xa0€, but Finland allows at "
                "most 40.00\xa0€ per overdue invoice.",
            "      - {day: 21, send: email, template: second_reminder, compensation: 40, customers: business}\n"
            "      - {day: 35, send: email, template: firm_reminder, compensation: 40, customers: business}":
                "• Step 2 of journey standard charges the recovery compensation again after the step on day 21, "
                "but Finland allows it only once per overdue invoice.",
            "      - {day: -3, send: email, template: friendly_heads_up, fee: 5, customers: business}":
                "• Step 1 of journey standard charges the customer on day -3, before the invoices are overdue, but "
                "Finland allows charges only on overdue invoices.",
        }
        for steps, message in cases.items():
            with self.subTest(steps=steps):
                self.assertEqual(self.refusal(policy_text(steps=steps)), message)
        margin = policy_text().replace("charges:\n", "charges:\n  interest_margin_business: 9.5\n")
        self.assertEqual(self.refusal(margin), "• The policy's interest margin for businesses is 9.5 points, but "
                                               "Finland allows at most 8.0 points over the reference rate.")

    def test_refusal_names_the_version_that_stays_in_force(self):
        active = self.Policy._active_for(self.company)
        with self.assertRaises(ValidationError) as caught:
            self.activate(policy_text(fee=6))
        first = str(caught.exception).split("\n\n")[0]
        self.assertRegex(first, r"^.* cannot be activated: it breaks 1 legal limit\(s\)\. ")
        self.assertTrue(first.endswith(f"{active.display_name} stays in force."))
        self.assertEqual(self.Policy._active_for(self.company), active)

    def test_promotional_template_to_consumers_is_refused_unless_for_businesses(self):
        self.env.ref("customer_aware_dunning.mail_template_value_of_relationship").dunning_promotion = True
        to_all = "      - {day: 21, send: email, template: value_of_relationship}"
        self.assertEqual(self.refusal(policy_text(steps=to_all)), (
            "• Step 1 of journey standard sends the template value_of_relationship, which contains sales promotion, "
            "to consumers, but Finland forbids sales promotion in collection messages to consumers; make the step "
            "for businesses only (customers: business)."))
        to_businesses = "      - {day: 21, send: email, template: value_of_relationship, customers: business}"
        self.assertEqual(self.activate(policy_text(steps=to_businesses)).state, "active")

    def test_run_never_sends_a_promotional_template_to_a_consumer(self):
        self.activate(policy_text())
        # Marked after the activation: the run holds the line by itself.
        self.env.ref("customer_aware_dunning.mail_template_gentle_reminder").dunning_promotion = True
        self.make_invoice(self.consumer, day(-30), DUE, 300)
        self.make_invoice(self.business, day(-30), DUE, 300)
        self.run_on(day(7))
        consumer_case, business_case = self.case_of(self.consumer), self.case_of(self.business)
        self.assertTrue(consumer_case.event_ids.filtered("step_key"), "the step is recorded")
        self.assertFalse(consumer_case.message_ids.filtered(lambda message: message.message_type == "comment"))
        self.assertIn("contains sales promotion", " ".join(consumer_case.event_ids.mapped("description")))
        self.assertTrue(business_case.message_ids.filtered(lambda message: message.message_type == "comment"))

    # ------------------------------------------------------------------ charging at run time

    def test_consumer_reminder_charges_fee_and_interest_across_a_rate_change_and_a_partial_payment(self):
        self.activate(policy_text())
        # The company's own rate from mid-June wins over Finland's 2.5 % of the half-year.
        self.env["dunning.reference.rate"].create({
            "country_id": self.env.ref("base.fi").id, "company_id": self.company.id,
            "date_from": date(2026, 6, 15), "rate": 3.0,
        })
        invoice = self.make_invoice(self.consumer, day(-30), DUE, 1000)
        self.pay(invoice, date(2026, 6, 10), amount=400)
        self.run_on(day(21))
        case = self.case_of(self.consumer)
        charges = case.charge_ids.sorted("id")
        # Consumer: reference rate + 7 points. 1000 x 9.5 % x 9/365 = 2.34 (2-10 June), 600 x 9.5 % x 4/365 = 0.62
        # (11-14 June), 600 x 10 % x 8/365 = 1.32 (15-22 June, the new rate).
        self.assertEqual([(c.kind, c.amount, c.days, c.rate) for c in charges], [
            ("fee", 5.0, 0, 0.0),
            ("interest", 2.34, 9, 9.5),
            ("interest", 0.62, 4, 9.5),
            ("interest", 1.32, 8, 10.0),
        ])
        self.assertEqual(charges.mapped("waived"), [False] * 4)
        self.assertEqual(charges.filtered("invoice_id").invoice_id, invoice)
        step = case.event_ids.filtered("step_key").sorted("id")[-1]
        self.assertEqual((step.amount_charged, step.amount_waived), (9.28, 0.0))
        message = case.message_ids.filtered(lambda message: message.message_type == "comment")[:1]
        self.assertIn("Charges for late payment", message.body)
        self.assertIn("Reminder fee", message.body)
        self.assertIn(f"Late-payment interest on {invoice.name}", message.body)

    def test_a_letter_itemises_the_step_charges(self):
        self.activate(policy_text(steps="      - {day: 21, send: letter, template: second_reminder, fee: 5}"))
        self.make_invoice(self.consumer, day(-30), DUE, 1000)
        self.run_on(day(21))
        case = self.case_of(self.consumer)
        letter = case.message_ids.attachment_ids.filtered(lambda attachment: attachment.name.startswith("Letter"))
        self.assertEqual(len(letter), 1)
        content = letter.raw.decode()
        self.assertIn("Charges for late payment", content)
        self.assertIn("Reminder fee", content)
        printed = self.env["ir.actions.report"]._render_qweb_html(
            "customer_aware_dunning.action_report_dunning_letter", case.ids)[0].decode()
        self.assertNotIn("Charges for late payment", printed, "a letter printed by hand does not charge again")

    def test_rate_agreed_with_the_customer_replaces_the_statutory_one(self):
        self.activate(policy_text())
        self.business.with_company(self.company).dunning_agreed_interest_rate = 12.0
        self.make_invoice(self.business, day(-30), DUE, 1000)
        self.run_on(day(21))
        interest = self.case_of(self.business).charge_ids.filtered(lambda c: c.kind == "interest")
        # 1000 x 12 % x 21/365 = 6.90, one line: the agreed rate does not follow the reference rate.
        self.assertEqual([(c.amount, c.days, c.rate) for c in interest], [(6.9, 21, 12.0)])

    def test_business_gets_compensation_once_per_invoice(self):
        self.activate(policy_text())
        invoice = self.make_invoice(self.business, day(-30), DUE, 1000)
        self.run_on(day(35))
        charges = self.case_of(self.business).charge_ids
        self.assertEqual(charges.filtered(lambda c: c.kind == "compensation").mapped("amount"), [40.0])
        self.assertEqual(charges.filtered(lambda c: c.kind == "compensation").invoice_id, invoice)
        history = self.env["dunning.charge"]._history(self.case_of(self.business))
        self.assertIn(invoice.id, history["compensated"], "a later step does not charge it again")

    def test_run_clamps_a_fee_changed_behind_its_back_and_logs_it(self):
        policy = self.activate(policy_text(fee=5))
        # Behind the validator's back: the active version's text now asks 20 per reminder.
        self.env.cr.execute("UPDATE dunning_policy SET yaml_text = %s WHERE id = %s",
                            [policy_text(fee=20), policy.id])
        policy.invalidate_recordset()
        self.env.registry.clear_cache()
        self.assertEqual(self.Policy._active_spec(self.company).journey("standard").steps[1].fee, 20.0)
        self.make_invoice(self.consumer, day(-30), DUE, 1000)
        with self.assertLogs("odoo.addons.customer_aware_dunning.models.dunning_charge", logging.WARNING) as logged:
            self.run_on(day(21))
        case = self.case_of(self.consumer)
        self.assertEqual(case.charge_ids.filtered(lambda c: c.kind == "fee").mapped("amount"), [5.0])
        clamped = ("The step asks a reminder fee of $\xa020.00; Finland allows at most $\xa05.00, so $\xa05.00 is "
                   "charged.")
        self.assertIn(clamped, case.event_ids.filtered(lambda event: event.kind == "note").description)
        self.assertIn("Finland allows at most", logged.output[0])

    def test_loyal_segment_waives_and_the_waived_amount_is_recorded(self):
        self.activate(policy_text(post="invoice"))
        self.set_segment(self.loyal, "loyal")
        self.make_invoice(self.loyal, day(-30), DUE, 1000)
        moves_before = self.env["account.move"].search_count([])
        self.run_on(day(21))
        case = self.case_of(self.loyal)
        self.assertEqual(case.journey, "keep")
        self.assertTrue(case.charge_ids)
        self.assertTrue(all(case.charge_ids.mapped("waived")))
        step = case.event_ids.filtered("step_key")
        self.assertEqual(step.amount_charged, 0.0)
        self.assertEqual(step.amount_waived, round(sum(case.charge_ids.mapped("amount")), 2))
        self.assertEqual(self.env["account.move"].search_count([]), moves_before, "nothing waived is posted")
        message = case.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertNotIn("Charges for late payment", message.body)

    # ------------------------------------------------------------------ posting

    def test_charges_are_posted_as_a_separate_customer_invoice_and_the_overdue_one_is_untouched(self):
        self.activate(policy_text(post="invoice"))
        invoice = self.make_invoice(self.consumer, day(-30), DUE, 1000)
        before = (invoice.amount_total, invoice.amount_residual, invoice.line_ids.ids, invoice.state)
        self.run_on(day(21))
        charges = self.case_of(self.consumer).charge_ids
        posted = charges.move_id
        self.assertEqual(len(posted), 1)
        self.assertNotEqual(posted, invoice)
        self.assertEqual((posted.move_type, posted.state, posted.partner_id), ("out_invoice", "posted", self.consumer))
        self.assertAlmostEqual(posted.amount_total, sum(charges.mapped("amount")))
        self.assertTrue(posted.dunning_excluded, "no follow-up (and no charges) on the charges themselves")
        invoice.invalidate_recordset()
        self.assertEqual((invoice.amount_total, invoice.amount_residual, invoice.line_ids.ids, invoice.state), before)
        message = self.case_of(self.consumer).message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn(posted.name, message.body)

    def test_charges_can_be_posted_as_a_journal_entry(self):
        self.activate(policy_text(post="entry"))
        self.make_invoice(self.business, day(-30), DUE, 1000)
        self.run_on(day(21))
        charges = self.case_of(self.business).charge_ids
        entry = charges.move_id
        self.assertEqual((entry.move_type, entry.state), ("entry", "posted"))
        receivable = entry.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertEqual(receivable.partner_id, self.business)
        self.assertAlmostEqual(receivable.debit, sum(charges.mapped("amount")))

    # ------------------------------------------------------------------ report

    def test_report_sums_charged_and_waived_per_segment(self):
        self.activate(policy_text())
        self.set_segment(self.loyal, "loyal")
        self.make_invoice(self.loyal, day(-30), DUE, 1000)
        self.make_invoice(self.consumer, day(-30), DUE, 1000)
        self.make_invoice(self.business, day(-30), DUE, 500)
        self.run_on(day(21))
        charges = self.env["dunning.charge"].search([("company_id", "=", self.company.id)])
        expected = {}
        for charge in charges:
            key = charge.case_id.segment_id.key
            fees, interest = expected.setdefault(key, ([0.0, 0.0], [0.0, 0.0]))
            bucket = interest if charge.kind == "interest" else fees
            bucket[1 if charge.waived else 0] += charge.amount
        report = self.env["dunning.case.report"]
        report.invalidate_model()
        self.env.flush_all()
        rows = report._read_group(
            [("company_id", "=", self.company.id)], ["segment_id"],
            ["fees_charged:sum", "fees_waived:sum", "interest_charged:sum", "interest_waived:sum",
             "charges_charged:sum", "charges_waived:sum"],
        )
        got = {segment.key: tuple(round(value, 2) for value in values) for segment, *values in rows}
        self.assertEqual(set(got), {"loyal", "standard"})
        for key, (fees, interest) in expected.items():
            self.assertEqual(got[key], tuple(round(value, 2) for value in (
                fees[0], fees[1], interest[0], interest[1], fees[0] + interest[0], fees[1] + interest[1])))
        self.assertEqual(got["loyal"][4], 0.0)
        self.assertGreater(got["loyal"][5], 0.0, "the loyal segment's waived charges show")
        self.assertEqual(got["standard"][0], 10.0, "a fee of 5 for each standard customer")
