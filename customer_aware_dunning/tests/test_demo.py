from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from ..demo.generator import DEMO_FI_CUSTOMERS, DEMO_FI_OVER_LIMIT_NAME, DemoGenerator
from ..policy.charges import reference_rate_on


@tagged("post_install", "-at_install")
class TestFinnishDemo(TransactionCase):
    """The Finnish demo company as a new user finds it: reminders in Finnish with a lawful fee and
    the right interest, and a draft policy over the legal limit that cannot be activated.

    The test database has no demo data, so the demo's builder runs here on a new Finnish company.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({
            "name": "Testi Tukku Oy", "country_id": cls.env.ref("base.fi").id,
            "currency_id": cls.env.ref("base.EUR").id,
        })
        cls.env.user.company_ids |= cls.company
        cls.Demo = DemoGenerator(cls.env)
        cls.today = date.today()
        cls.Demo._dunning_create_finnish_demo(cls.company.ids)
        cls.run_day = cls.Demo._dunning_demo_rated_day(cls.company, cls.today)
        cls.partners = cls.env["res.partner"].search(
            [("company_id", "=", cls.company.id), ("name", "in", [row[0] for row in DEMO_FI_CUSTOMERS])]
        )
        cls.consumer = cls.partners.filtered(lambda partner: not partner.is_company)
        cls.business = cls.partners.filtered("is_company")

    def case_of(self, partner):
        return self.env["dunning.case"].search([("partner_id", "=", partner.id)])

    def test_run_day_has_a_reference_rate_and_is_never_made_up(self):
        rates = self.env["dunning.reference.rate"]._rates_for(self.company)
        self.assertIsNotNone(reference_rate_on(rates, self.run_day))
        self.assertLessEqual(self.run_day, self.today)
        # Far past the table: the end of the latest half-year in it, not a guessed rate.
        latest = rates[-1].date_from
        end = date(latest.year, 6, 30) if latest.month < 7 else date(latest.year, 12, 31)
        self.assertEqual(self.Demo._dunning_demo_rated_day(self.company, date(2099, 1, 1)), end)
        self.assertEqual(self.Demo._dunning_demo_rated_day(self.company, latest + timedelta(days=10)),
                         latest + timedelta(days=10))

    def test_consumer_and_business_speak_finnish_and_are_in_the_finnish_company(self):
        self.assertEqual(len(self.partners), 2)
        self.assertEqual(self.partners.mapped("lang"), ["fi_FI", "fi_FI"])
        self.assertEqual(self.consumer.dunning_customer_type, "consumer")
        self.assertEqual(self.business.dunning_customer_type, "business")
        self.assertEqual(self.company.chart_template, "generic_coa")
        self.assertEqual(self.env["dunning.legal.profile"]._for_company(self.company),
                         self.env.ref("customer_aware_dunning.legal_profile_fi"))

    def test_reminders_charge_a_lawful_fee_and_the_statutory_interest(self):
        # consumer: 480.00 x (2.5 + 7) % x 18 / 365 = 2.25; business: 3200.00 x (2.5 + 8) % x 22 / 365 = 20.25
        rates = self.env["dunning.reference.rate"]._rates_for(self.company)
        reference = reference_rate_on(rates, self.run_day)
        for partner, days, principal, margin in ((self.consumer, 18, 480.0, 7.0), (self.business, 22, 3200.0, 8.0)):
            charges = self.case_of(partner).charge_ids.sorted("id")
            rate = reference + margin
            self.assertEqual([(c.kind, c.amount, c.days, c.rate, c.waived) for c in charges], [
                ("fee", 5.0, 0, 0.0, False),
                ("interest", round(principal * rate / 100 * days / 365, 2), days, rate, False),
            ], partner.name)

    def test_the_reminder_mail_is_in_finnish_with_the_charges_itemised(self):
        mail = self.env["mail.mail"].search([("recipient_ids", "in", self.consumer.ids)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f"{self.company.name}: laskunne ovat yhä avoinna")
        self.assertIn("Maksun viivästymisestä aiheutuvat kulut", mail.body_html)
        self.assertIn(">Muistutusmaksu<", mail.body_html)
        self.assertIn("5,00&nbsp;€", mail.body_html)
        # 9,50 % and 2,25 € while the run's day falls in a half-year of the 2.5 % reference rate
        rate = reference_rate_on(self.env["dunning.reference.rate"]._rates_for(self.company), self.run_day) + 7
        interest = round(480.0 * rate / 100 * 18 / 365, 2)

        def finnish(number):
            return f"{number:.2f}".replace(".", ",")

        self.assertIn(f"(18 päivää, {finnish(rate)} %)", mail.body_html)
        self.assertRegex(mail.body_html, r"Viivästyskorko laskusta \S+ ajalta \S+")
        self.assertIn(f"{finnish(interest)}&nbsp;€", mail.body_html)
        self.assertIn(f"<strong>{finnish(5 + interest)}&nbsp;€</strong>", mail.body_html, "the total of the charges")
        self.assertNotIn("Reminder fee", mail.body_html)

    def test_the_over_limit_draft_is_refused_with_the_rule_it_breaks(self):
        draft = self.env["dunning.policy"].search(
            [("company_id", "=", self.company.id), ("name", "=", DEMO_FI_OVER_LIMIT_NAME)])
        self.assertEqual(draft.state, "draft")
        active = self.env["dunning.policy"]._active_for(self.company)
        with self.assertRaises(ValidationError) as caught:
            draft.action_activate()
        self.assertEqual(str(caught.exception), (
            f"{draft.display_name} cannot be activated: it breaks 1 legal limit(s). "
            f"{active.display_name} stays in force.\n\n"
            "• Step 3 of journey standard charges consumers a reminder fee of 10.00\xa0€, but Finland allows at "
            "most 5.00\xa0€ per written payment reminder."
        ))
        # A Finnish user reads the whole refusal in Finnish, down to the rule's sentence.
        with self.assertRaises(ValidationError) as caught:
            draft.with_context(lang="fi_FI").action_activate()
        self.assertIn("Muistutuspolun standard vaihe 3 perii kuluttajilta muistutusmaksun 10,00\xa0€, mutta Suomi "
                      "sallii enintään 5,00\xa0€ kirjallista maksumuistutusta kohden.", str(caught.exception))
        self.assertEqual(self.env["dunning.policy"]._active_for(self.company), active)
