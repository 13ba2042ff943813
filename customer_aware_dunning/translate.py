"""The words of the shipped default policy (``data/default_policy.yaml``), as Odoo code terms.

The policy package reads the YAML without Odoo, so its texts are plain strings.
Listed here with ``_lt`` they land in the module's ``.pot`` and its ``.po`` files;
:func:`policy_text` then looks a text of the active spec up by its English source,
in the language of ``env``.  A company's own wording has no translation and is
shown as written.

Segments and delay reasons are records (their names translate through their XML
ids, see ``data/dunning_segment_data.xml``); the lookup serves the texts shown
straight from the spec: activity notes and payment-term reasons.  A test checks
that every text of the YAML is listed here.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

DEFAULT_POLICY_TEXTS = (
    # description
    _lt("Keep the relationship with strategic and loyal customers, limit the damage with customers at risk, "
        "and pause whenever the delay is not the customer's fault."),
    # segments
    _lt("Strategic"),
    _lt("Customers whose business matters most; the relationship comes first."),
    _lt("Loyal"),
    _lt("Long-standing customers who usually pay on time."),
    _lt("At risk"),
    _lt("Customers who often pay late or are over their credit limit; we limit the damage, kindly but firmly."),
    _lt("New"),
    _lt("Customers in their first months with us; we are still getting to know each other."),
    _lt("Standard"),
    _lt("Every other customer."),
    # delay reasons
    _lt("Dispute"),
    _lt("I disagree with this invoice"),
    _lt("The customer questions the invoice; reminders stop and the salesperson sorts it out."),
    _lt("Temporary cash-flow difficulty"),
    _lt("We are short of cash for now"),
    _lt("The customer wants to pay but cannot yet; offer a payment plan."),
    _lt("Our own error"),
    _lt("There is a mistake on your side"),
    _lt("Wrong price, address or delivery; reminders stop until finance fixes it."),
    _lt("Waiting for a purchase order"),
    _lt("We are waiting for our purchase order number"),
    _lt("The customer's own process holds the payment; agree on a new date."),
    _lt("Forgot"),
    _lt("We simply forgot, sorry"),
    _lt("A friendly reminder is all it takes."),
    _lt("Insolvency"),
    _lt("Our company is in restructuring or insolvency proceedings"),
    _lt("Limit the damage; the customer moves to the firmer journey."),
    _lt("Unknown"),
    _lt("Another reason"),
    _lt("We do not know yet why the invoice is late."),
    # journeys
    _lt("Keep the relationship"),
    _lt("Remind strategic and loyal customers of the value of continuing together."),
    _lt("Clear, friendly reminders; the salesperson is called in before the final notice."),
    _lt("Limit the damage"),
    _lt("Earlier and firmer, still polite, for customers at risk."),
    # activity notes
    _lt("Call the customer about the open invoices before anything firmer is sent; ask how things are going."),
    _lt("Agree the next step with the salesperson (payment plan, new date or handing over)."),
    _lt("The customer has not paid after two reminders; a call from you may settle it."),
    _lt("Call the customer and agree a payment date or a payment plan."),
    _lt("Decide whether to hand the invoices over to a collection agency."),
    # payment-term reasons
    _lt("Over the credit limit; immediate payment keeps our risk small."),
    _lt("Often late; an advance keeps the deal possible and the risk small."),
    _lt("Pays on time; longer terms are a service the customer will value."),
    _lt("A new customer; standard terms while we get to know each other."),
    _lt("In bankruptcy or liquidation in the trade register; only immediate payment."),
    _lt("A weak credit rating and little history with us; an advance keeps the deal possible."),
    _lt("A good credit rating; standard terms from the first order."),
)


def policy_text(env, text):
    """``text``, a text of a policy spec, in the language of ``env`` when the module translates it."""
    if not text:
        return text
    return env._(text)

