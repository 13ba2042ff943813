from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import TODAY
from .test_policy_document import PolicyCommon
from .test_web_client import OPEN_PAGE, WAIT_FOR


@tagged("post_install", "-at_install")
class TestPaymentTerms(PolicyCommon):
    """The default policy's payment_terms rules over constructed customers, on the customer form,
    quotations, draft invoices and the review list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.immediate = ref("account.account_payment_term_immediate")
        cls.days_30 = ref("account.account_payment_term_30days")
        cls.days_45 = ref("account.account_payment_term_45days")
        cls.advance = ref("account.account_payment_term_advance_60days")
        cls.end_following_month = ref("account.account_payment_term_end_following_month")
        segment = {key: ref(f"customer_aware_dunning.segment_{key}") for key in ("loyal", "at_risk", "new", "standard")}
        Partner = cls.env["res.partner"].with_company(cls.company)
        cls.loyal, cls.risky, cls.newcomer, cls.plain = Partner.create([
            {"name": "Loyal Ltd", "is_company": True},
            {"name": "Risky Ltd", "is_company": True, "credit_limit": 1000.0},
            {"name": "Newcomer Ltd", "is_company": True},
            {"name": "Plain Ltd", "is_company": True},
        ])
        for partner, key in ((cls.loyal, "loyal"), (cls.risky, "at_risk"), (cls.newcomer, "new"),
                             (cls.plain, "standard")):
            partner.dunning_segment_id = segment[key]  # by hand, as superuser
        # Loyal: two invoices paid on time, one not yet due.  Risky: 800 open of a 1,000 credit limit.
        for invoice_date, due in ((date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 5, 1))):
            cls.pay(cls.make_invoice(cls.loyal, invoice_date, due, 1000.0), due)
        cls.make_invoice(cls.loyal, date(2026, 6, 20), date(2026, 7, 20), 500.0)
        cls.make_invoice(cls.risky, date(2026, 6, 1), date(2026, 7, 1), 800.0)
        cls.env["dunning.partner.facts"]._refresh(cls.company, TODAY)

    def suggestions(self, *partners, amounts=None):
        partners = self.env["res.partner"].union(*partners)
        found = self.env["account.payment.term"]._dunning_suggestions(partners, self.company, amounts)
        return [found[partner].term if found[partner] else None for partner in partners]

    def quotation(self, partner, term, amount=100.0):
        # Made and read by a salesperson: the notice needs no collections rights.
        return self.env["sale.order"].with_company(self.company).with_user(self.salesperson).create({
            "partner_id": partner.id,
            "company_id": self.company.id,
            "payment_term_id": term.id,
            "order_line": [Command.create({
                "product_id": self.product_a.id, "product_uom_qty": 1, "price_unit": amount, "tax_ids": [],
            })],
        })

    def draft_invoice(self, partner, term, amount=100.0):
        due = {} if term else {"invoice_date_due": TODAY}  # without a term: due on its date, as typed
        return self._create_invoice(
            partner_id=partner, invoice_date=TODAY, invoice_payment_term_id=term.id, **due,
            invoice_line_ids=[self._prepare_invoice_line(price_unit=amount, name="Consulting", tax_ids=[])],
        )

    # ------------------------------------------------------------------ measure and match

    def test_generosity_weighs_each_line_and_ranks_an_advance_below_net_terms(self):
        self.assertEqual(self.advance._dunning_average_days(), 42.0)  # 30% now, 70% at 60 days
        self.assertEqual(self.immediate._dunning_average_days(), 0.0)
        self.assertEqual(self.end_following_month._dunning_average_days(), 46.0)  # mid-month to end of next
        ranked = sorted(self.immediate | self.days_30 | self.days_45 | self.advance,
                        key=lambda term: term._dunning_generosity())
        self.assertEqual(ranked, [self.immediate, self.advance, self.days_30, self.days_45])

    def test_rules_match_constructed_customers(self):
        self.assertEqual(
            self.suggestions(self.loyal, self.risky, self.newcomer, self.plain),
            [self.days_45, self.advance, self.days_30, None],
        )
        loyal = self.loyal.with_company(self.company)
        self.assertEqual(loyal.dunning_suggested_term_id, self.days_45)
        self.assertEqual(
            loyal.dunning_suggested_term_reason,
            "Pays on time; longer terms are a service the customer will value. "
            "(Loyal, paid 100% on time over 24 months)",
        )
        self.assertFalse(self.plain.with_company(self.company).dunning_suggested_term_id)

    def test_a_new_document_counts_in_the_credit_exposure(self):
        # 800 open of 1,000: an order of 500 takes the customer over its limit, one of 100 does not.
        self.assertEqual(self.suggestions(self.risky, amounts={self.risky: 100.0}), [self.advance])
        self.assertEqual(self.suggestions(self.risky, amounts={self.risky: 500.0}), [self.immediate])
        order = self.quotation(self.risky, self.days_30, amount=500.0)
        self.assertEqual(order.dunning_suggested_term_id, self.immediate)
        self.assertIn("credit limit 130% used with this document", order.dunning_term_notice)
        self.assertEqual(self.quotation(self.risky, self.days_30, amount=100.0).dunning_suggested_term_id,
                         self.advance)

    def test_suggestions_are_computed_in_one_batch(self):
        def queries(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            partners.with_company(self.company).mapped("dunning_suggested_term_reason")
            return self.env.cr.sql_log_count - before

        queries(self.loyal)  # warm the caches (the parsed policy, the XML ids)
        everyone = self.loyal | self.risky | self.newcomer | self.plain
        self.assertEqual(queries(self.loyal | self.newcomer), queries(everyone))

    # ------------------------------------------------------------------ notices

    def test_quotation_notice_in_the_rules_direction(self):
        shown = {
            "loyal offered less": self.quotation(self.loyal, self.days_30),
            "risky offered more": self.quotation(self.risky, self.days_30),
            "loyal offered no term": self.quotation(self.loyal, self.env["account.payment.term"]),
            "risky offered no term": self.quotation(self.risky, self.env["account.payment.term"]),
        }
        quiet = {
            "loyal offered more": self.quotation(self.loyal, self.end_following_month),
            "loyal offered the suggestion": self.quotation(self.loyal, self.days_45),
            "risky offered less": self.quotation(self.risky, self.immediate),
            "no rule": self.quotation(self.plain, self.days_30),
        }
        for name, order in shown.items():
            with self.subTest(name):
                self.assertTrue(order.dunning_term_notice)
        for name, order in quiet.items():
            with self.subTest(name):
                self.assertFalse(order.dunning_term_notice)
        self.assertIn("30 Days is less generous than the 45 Days", shown["loyal offered less"].dunning_term_notice)
        self.assertIn("No payment term chosen: the policy suggests 45 Days",
                      shown["loyal offered no term"].dunning_term_notice)
        self.assertIn("No payment term chosen: the policy suggests 30% Now, Balance 60 Days",
                      shown["risky offered no term"].dunning_term_notice)
        self.assertIn("more generous than the 30% Now, Balance 60 Days",
                      shown["risky offered more"].dunning_term_notice)

        order = shown["loyal offered less"].with_user(self.salesperson)
        order.action_dunning_use_suggested_term()
        self.assertEqual(order.payment_term_id, self.days_45)
        self.assertFalse(order.dunning_term_notice)

    def test_quotation_form_shows_the_notice_as_the_term_changes(self):
        with Form(self.env["sale.order"].with_company(self.company).with_user(self.salesperson)) as form:
            form.partner_id = self.loyal
            form.payment_term_id = self.days_30
            self.assertIn("45 Days", form.dunning_term_notice)
            form.payment_term_id = self.days_45
            self.assertFalse(form.dunning_term_notice)

    def test_draft_invoice_notice_and_a_posted_invoice_never_changes(self):
        invoice = self.draft_invoice(self.risky, self.days_30)
        self.assertIn("more generous", invoice.dunning_term_notice)
        self.assertFalse(self.draft_invoice(self.risky, self.immediate).dunning_term_notice)
        # Without a term an invoice is due on its date: stricter than the advance, nothing to say.
        self.assertFalse(self.draft_invoice(self.risky, self.env["account.payment.term"]).dunning_term_notice)
        self.assertIn("due at once: 45 Days is suggested",
                      self.draft_invoice(self.loyal, self.env["account.payment.term"]).dunning_term_notice)
        invoice.action_dunning_use_suggested_term()
        self.assertEqual(invoice.invoice_payment_term_id, self.advance)
        self.assertFalse(invoice.dunning_term_notice)

        posted = self.draft_invoice(self.risky, self.days_30)
        posted.action_post()
        self.assertFalse(posted.dunning_term_notice)
        with self.assertRaises(UserError):
            posted.action_dunning_use_suggested_term()
        self.assertEqual(posted.invoice_payment_term_id, self.days_30)

    # ------------------------------------------------------------------ apply and review

    def test_only_managers_apply_the_suggested_term(self):
        with self.assertRaises(AccessError):
            self.loyal.with_user(self.collections_user).with_company(self.company).action_dunning_apply_suggested_term()
        self.assertFalse(self.loyal.with_company(self.company).property_payment_term_id)

        self.loyal.with_user(self.collections_manager).with_company(self.company).action_dunning_apply_suggested_term()
        loyal = self.loyal.with_company(self.company)
        self.assertEqual(loyal.property_payment_term_id, self.days_45)
        self.assertIn("45 Days", loyal.message_ids[0].body)
        self.assertFalse(loyal.dunning_term_differs)

    def test_customer_form_and_review_list_show_the_suggestion(self):
        form = Form(self.loyal.with_user(self.collections_user).with_company(self.company),
                    view="base.view_partner_form")
        self.assertEqual(form.dunning_suggested_term_id, self.days_45)
        self.assertIn("paid 100% on time", form.dunning_suggested_term_reason)
        view = self.env.ref("customer_aware_dunning.res_partner_view_list_dunning_terms")
        for user, has_button in ((self.collections_user, False), (self.collections_manager, True)):
            with self.subTest(user=user.login):
                views = self.env["res.partner"].with_user(user).get_views([(view.id, "list")])
                self.assertEqual("action_dunning_apply_suggested_term" in views["views"]["list"]["arch"], has_button)

    def test_review_lists_customers_whose_term_differs(self):
        Partner = self.env["res.partner"].with_company(self.company).with_user(self.collections_user)
        domain = [("dunning_term_differs", "=", True), ("id", "in", (self.loyal | self.risky | self.plain).ids)]
        self.assertEqual(Partner.search(domain), self.loyal | self.risky)  # plain: no rule, and nothing open
        self.risky.with_company(self.company).property_payment_term_id = self.advance
        self.assertEqual(Partner.search(domain), self.loyal)
        # The review list's header button applies the suggestions to the selected customers at once.
        selected = (self.loyal | self.plain).with_user(self.collections_manager).with_company(self.company)
        selected.action_dunning_apply_suggested_term()
        self.assertFalse(Partner.search(domain))
        self.assertFalse(self.plain.with_company(self.company).property_payment_term_id)  # nothing to apply

    # ------------------------------------------------------------------ policy

    def test_unknown_payment_term_is_refused_at_activation(self):
        text = self.default.yaml_text.replace("account.account_payment_term_45days", "account.account_payment_term_45d")
        text = text.replace("account.account_payment_term_30days", "base.main_company")  # not a payment term
        lines = text.splitlines()
        wrong = [lines.index(line) + 1 for line in lines if "_45d\n" in line + "\n" or "base.main_company" in line]
        draft = self.new_version(text)
        with self.assertRaises(ValidationError) as caught:
            draft.action_activate()
        message = str(caught.exception)
        self.assertIn(
            "• payment_terms[2].suggest: unknown payment term 'account.account_payment_term_45d' "
            f"(did you mean 'account.account_payment_term_45days'?) (line {wrong[0]})",
            message,
        )
        self.assertIn(f"• payment_terms[3].suggest: unknown payment term 'base.main_company' (line {wrong[1]})",
                      message)
        self.assertEqual(draft.state, "draft")

    def test_a_term_deleted_after_activation_suggests_nothing_and_collections_go_on(self):
        term = self.env["account.payment.term"].create({"name": "Ten days", "line_ids": [
            Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 10}),
        ]})
        self.env["ir.model.data"].create({
            "module": "__export__", "name": "ten_days", "model": term._name, "res_id": term.id,
        })
        text = self.default.yaml_text.replace("account.account_payment_term_45days", "__export__.ten_days")
        draft = self.new_version(text)
        draft.action_activate()
        self.assertEqual(self.suggestions(self.loyal), [term])

        term.company_id = self.setup_other_company(name="Nordic Branch")["company"]
        self.assertEqual(self.suggestions(self.loyal), [None])  # another company's term is not offered here

        term.unlink()
        self.env.registry.clear_cache()  # as after a restart: the active version is parsed again
        self.assertTrue(self.Policy._active_spec(self.company))
        self.assertEqual(self.suggestions(self.loyal, self.risky), [None, self.advance])
        with self.assertRaises(ValidationError):
            self.new_version(text).action_activate()


@tagged("post_install", "-at_install")
class TestPaymentTermsWebClient(HttpCase):
    """The suggestion on the customer form, the notice on a quotation and the review list, in a browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Fresh Start Oy", "is_company": True})
        cls.customer.dunning_segment_id = cls.env.ref("customer_aware_dunning.segment_new")
        cls.order = cls.env["sale.order"].create({"partner_id": cls.customer.id, "payment_term_id": False})

    def test_customer_form_quotation_and_review_list(self):
        self.assertTrue(self.order.dunning_term_notice)
        self.browser_js(
            f"/odoo/action-sale.action_quotations_with_onboarding/{self.order.id}",
            WAIT_FOR % ".o_form_view .alert button[name=action_dunning_use_suggested_term]",
            ready="odoo.isReady", login="admin", timeout=90,
        )
        self.browser_js(
            f"/odoo/action-account.res_partner_action_customer/{self.customer.id}",
            OPEN_PAGE % ("dunning", ".o_field_widget[name=dunning_suggested_term_id]"),
            ready="odoo.isReady", login="admin", timeout=90,
        )
        self.browser_js(
            "/odoo/action-customer_aware_dunning.action_partner_terms_to_review",
            WAIT_FOR % ".o_list_view", ready="odoo.isReady", login="admin", timeout=90,
        )
