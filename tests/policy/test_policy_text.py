"""The engine's sentences: English by themselves, and every template with words marked for translation."""

import ast
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from dunning_policy.engine import CaseInput, DealAnswer, InvoiceInput, decide, make_step_key
from dunning_policy.payment_plans import propose_schedule
from dunning_policy.schema import PlanBounds
from dunning_policy.text import Joined, Text, _

POLICY_DIR = Path(__file__).resolve().parents[2] / "customer_aware_dunning" / "policy"

POLICY = """
version: 1
segments:
  - key: vip
    when: [[tags, contains, VIP]]
  - key: standard
    when: [[avg_days_late, "<", 30]]
delay_reasons:
  dispute: {pause: true, owner: salesperson}
  waiting_po: {pause: true, pause_days: 10}
  insolvency: {journey: firm}
journeys:
  gentle:
    segments: [vip, standard]
    steps:
      - {day: -2, send: email, template: friendly_heads_up}
      - {day: 5, send: email, template: second_reminder}
      - {day: 12, send: activity, to: salesperson, note: Call them}
      - {day: 25, send: email, template: payment_plan_offer, approve: salesperson}
      - {day: 40, send: letter, template: final_notice, when: [[overdue_amount, ">=", 500]]}
  firm:
    steps: [{day: 1, send: email, template: firm_reminder}]
"""

DUE = date(2025, 3, 1)
STANDARD = {"avg_days_late": 3}


def day(offset):
    return DUE + timedelta(days=offset)


def invoice(number=1, amount=100, **values):
    return InvoiceInput(number, DUE, amount, name=f"INV/{number}", **values)


def case(*invoices, facts=STANDARD, **values):
    return CaseInput(invoices=invoices or (invoice(),), facts=facts, **values)


def marked_templates():
    """The literals given to ``_()`` in the policy package: what ``make pot`` exports."""
    found = set()
    for path in POLICY_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def scenarios():
    done_5 = frozenset({make_step_key("gentle", 1, [1])})
    return [
        (case(state="closed"), day(10)),
        (case(invoice(excluded=True)), day(10)),
        (case(state="waiting_approval"), day(10)),
        (case(state="paused", pause_until=day(20)), day(10)),
        (case(state="paused"), day(10)),
        (case(invoice(delay_reason="dispute")), day(10)),
        (case(invoice(delay_reason="waiting_po", delay_reason_since=day(5))), day(10)),
        (case(invoice(promised_date=day(12))), day(10)),
        (case(invoice(delay_reason="insolvency")), day(10)),
        (case(facts={**STANDARD, "open_credits": 100.0}), day(10)),
        (case(invoice(1, currency="EUR"), invoice(2, 50, currency="USD"), credits={"EUR": 100.0, "USD": 60.0}),
         day(10)),
        (case(segment="vip", segment_manual=True), day(-2)),
        (case(facts={}), day(10)),
        (case(), day(3)),
        (case(done_step_keys=done_5), day(8)),
        (case(), day(14)),
        (case(), day(26)),
        (case(done_step_keys=frozenset({make_step_key("gentle", 3, [1])})), day(41)),
        (case(done_step_keys=frozenset({make_step_key("gentle", 3, [1])})), day(60)),
    ]


# The sales sections: the gentle journey's harsh letter waits for an open deal; salespeople's cases are manual.
SALES = """hold_while_open_deal: {min_amount: 1000, max_days: 10}
owners:
  - {when: [[tags, contains, Manual]], owner: salesperson, manual_only: true}
"""


def sales_scenarios():
    done = frozenset({make_step_key("gentle", 3, [1])})
    return [
        (case(invoice(amount=600), done_step_keys=done, facts={**STANDARD, "open_pipeline_amount": 5000.0}),
         day(41)),
        (case(facts={**STANDARD, "tags": ["Manual"]}), day(6)),
    ]


def plan_problems():
    """Every reason a payment plan the customer chose is outside the bounds (the portal's preview)."""
    bounds = PlanBounds(max_instalments=3, max_months=2, min_instalment=50.0, first_within_days=7)
    today = date(2026, 1, 31)
    chosen = [(100.0, 1, today), (0.0, 2, today), (100.0, 2, None), (1000.0, 6, date(2026, 1, 1)),
              (1000.0, 3, date(2026, 3, 1)), (60.0, 2, date(2026, 2, 2))]
    return [problem for args in chosen for problem in propose_schedule(*args, today, bounds)[1]]


@pytest.fixture(scope="module")
def spec(spec_of):
    return spec_of(POLICY)


@pytest.fixture(scope="module")
def sales_spec(spec_of):
    return spec_of(POLICY + SALES)


def test_a_text_is_english_by_itself_and_translated_template_by_template():
    step = Text(_("step %(number)s (day %(day)s, %(channel)s %(template)s)"), number=2, day=7, channel="email",
                template="gentle_reminder")
    text = Joined(Text(_("%(step)s already done"), step=step), Text(), "")
    assert str(text) == "step 2 (day 7, email gentle_reminder) already done"
    finnish = {"%(step)s already done": "%(step)s on jo tehty",
               "step %(number)s (day %(day)s, %(channel)s %(template)s)": "vaihe %(number)s (päivä %(day)s, "
                                                                           "%(channel)s %(template)s)"}
    assert text.render(lambda template, values: finnish[template] % values) == (
        "vaihe 2 (päivä 7, email gentle_reminder) on jo tehty")
    assert not Text() and not Joined(Text(), "")
    assert Text("%(a)s", a=1) == Text("%(a)s", a=1) != Text("%(a)s", a=2)


def test_every_sentence_the_engine_writes_is_a_term_to_translate(spec, sales_spec):
    """Rendered through a translator that notes each template: those with words are all marked with ``_()``,
    and every marked template is written by one of these cases."""
    seen = set()

    def noting(template, values):
        seen.add(template)
        return template % values if values else template

    reasons = [decide(spec, scenario, today).text.render(noting) for scenario, today in scenarios()]
    reasons += [decide(sales_spec, scenario, today).text.render(noting) for scenario, today in sales_scenarios()]
    deal, deal_day = sales_scenarios()[0]  # the salesperson held the step again; a next action set by hand
    held_again = replace(deal, deal_answer=DealAnswer(decide(sales_spec, deal, deal_day).step_key, day(60)))
    reasons += [decide(sales_spec, held_again, deal_day).text.render(noting),
                decide(spec, replace(deal, next_action_on=day(60)), deal_day).text.render(noting)]
    reasons += [problem.render(noting) for problem in plan_problems()]
    assert reasons[0] == "the case is closed"
    assert "held: delay reason dispute on invoice INV/1 pauses the case; salesperson takes it over" in reasons
    worded = {template for template in seen if re.search(r"[a-z]", re.sub(r"%\(\w+\)s", "", template))}
    marked = marked_templates()
    assert worded <= marked, f"not marked with _(): {sorted(worded - marked)}"
    assert marked <= seen, f"not written by any case here: {sorted(marked - seen)}"
