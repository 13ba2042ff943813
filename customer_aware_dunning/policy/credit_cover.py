"""Whether the customer's open credits cover what is overdue (the engine's ``credits`` hold).

Pure: the engine calls :func:`credit_hold` with the policy, the case and its
open invoices.  Amounts are compared per currency when the inputs name
currencies (a credit in euros never covers an invoice in dollars); inputs
without currencies compare the ``open_credits`` fact with the overdue total in
the company currency.
"""

from .text import Joined, Text, _


def credit_hold(spec, case, invoices, today):
    """No demand while the customer's open credits cover what is overdue: someone applies them first.

    With currencies known (``InvoiceInput.currency``, ``CaseInput.credits``) each currency stands
    alone: a credit in one currency never covers an overdue invoice in another.
    """
    if not spec.credits.hold_when_covered:
        return None
    if any(invoice.currency for invoice in invoices) or case.credits:
        return _credit_hold_per_currency(spec, case, invoices, today)
    overdue = round(sum(invoice.amount_residual for invoice in invoices if invoice.due_date < today), 2)
    credits = round(case.facts.get("open_credits") or 0.0, 2)
    if overdue <= 0 or credits < overdue:
        return None
    return _credit_hold_result(spec, credits, overdue)


def _credit_hold_result(spec, credits, overdue):
    return {"text": Text(_("held: open credits of %(credits).2f cover the overdue %(overdue).2f; "
                           "apply the credit or reconcile the payment"), credits=credits, overdue=overdue),
            "held_by": "credits", "owner": spec.credits.owner}


def _credit_hold_per_currency(spec, case, invoices, today):
    overdue = {}
    for invoice in invoices:
        if invoice.due_date < today:
            amount = invoice.amount_residual if invoice.amount_currency is None else invoice.amount_currency
            overdue[invoice.currency] = overdue.get(invoice.currency, 0.0) + amount
    overdue = {currency: round(amount, 2) for currency, amount in overdue.items() if round(amount, 2) > 0}
    credits = {currency: round(case.credits.get(currency) or 0.0, 2) for currency in overdue}
    if not overdue or any(credits[currency] < amount for currency, amount in overdue.items()):
        return None
    if len(overdue) == 1:
        (currency, amount), = overdue.items()
        return _credit_hold_result(spec, credits[currency], amount)
    amounts = Joined(*(Text(_("%(currency)s %(credits).2f of %(overdue).2f"), currency=currency or "",
                            credits=credits[currency], overdue=amount) for currency, amount in sorted(
                                overdue.items(), key=lambda pair: pair[0] or "")))
    return {"text": Text(_("held: open credits cover the overdue amount in each currency (%(amounts)s); "
                           "apply the credit or reconcile the payment"), amounts=amounts),
            "held_by": "credits", "owner": spec.credits.owner}
