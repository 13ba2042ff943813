"""Demo customers whose credit notes cover what they owe, in full or in part.

What a finance user sees on them after the demo's run: the first customer got
no reminder (its case is held, says why, and finance has one "apply the
credit" activity); the second got a reminder that lists the credit note and
asks only for the net amount.
"""

from datetime import timedelta

from odoo import Command

# name, city, invoice amount, credit note amount, days the invoice is overdue on the run day
DEMO_CREDIT_CUSTOMERS = [
    ("Alder & Ash Carpentry", "Kokkola", 1850.0, 1850.0, 20),   # the credit note covers it: no reminder
    ("Lumi Print House", "Iisalmi", 2400.0, 900.0, 18),        # covers part: the reminder asks for 1,500
]


def create_credit_note_demo(env, company, today, marker):
    """The customers of :data:`DEMO_CREDIT_CUSTOMERS` in ``company``, each with an overdue invoice and a posted
    credit note not yet applied to it; returns the partners."""
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    partners = env["res.partner"].create([{
        "name": name, "is_company": True, "customer_rank": 1, "city": city, "country_id": env.ref("base.fi").id,
        "email": "accounts@{}.example.com".format("".join(c for c in name.lower() if c.isalnum())[:20]),
        "comment": marker,
    } for name, city, _amount, _credit, _overdue in DEMO_CREDIT_CUSTOMERS])
    moves = env["account.move"]
    for partner, (_name, _city, amount, credit, overdue) in zip(partners, DEMO_CREDIT_CUSTOMERS, strict=True):
        due = today - timedelta(days=overdue)
        moves |= env["account.move"].with_company(company).create([{
            "move_type": move_type, "company_id": company.id, "journal_id": journal.id, "partner_id": partner.id,
            "invoice_date": date, "invoice_date_due": date_due, "invoice_payment_term_id": False,
            "ref": ref or False,
            "invoice_line_ids": [Command.create({"name": label, "quantity": 1, "price_unit": price, "tax_ids": []})],
        } for move_type, date, date_due, price, label, ref in (
            ("out_invoice", due - timedelta(days=30), due, amount, "Workshop materials and fitting", ""),
            ("out_refund", due + timedelta(days=5), due + timedelta(days=5), credit,
             "Returned goods: credit", "Goods returned on delivery"),
        )])
    for move in moves:
        move.action_post()
    return partners
