"""Rewrite step keys stored before step identities (``<journey>/<index>/<ids>``) in their identity form.

The migration to 19.0.1.2.0 calls :func:`convert_index_keys`. Each stored key is resolved in the
policy version that did the step (the event's ``policy_version``; the company's active version
when that one is gone), so the key names the step it was made for. A key whose step that version
does not have is left as it was: the engine still reads it by its index.
"""

import logging

from odoo.tools import SQL

from .policy.step_keys import make_step_key, parse_step_key

_logger = logging.getLogger(__name__)


def convert_index_keys(env):
    """Rewrite the index-style keys of case events and pending approvals; returns how many were rewritten."""
    Policy = env["dunning.policy"].sudo()
    specs = {}

    def spec_of(company, version):
        if (company.id, version) not in specs:
            policies = Policy.search([("company_id", "=", company.id)])
            policy = policies.filtered(lambda p: p.display_name == version)[:1] or Policy._active_for(company)
            specs[company.id, version] = policy._get_spec()
        return specs[company.id, version]

    events = env["dunning.case.event"].sudo().search([("step_key", "=like", "%/%/%")])
    taken = {(event.case_id.id, event.step_key) for event in events}
    rewrites = {}
    for event in events:
        new = _identity_key(spec_of(event.company_id, event.policy_version or ""), event.step_key)
        if new and (event.case_id.id, new) not in taken:
            taken.add((event.case_id.id, new))
            rewrites[event.id] = new
    _update(env["dunning.case.event"], rewrites)
    cases = env["dunning.case"].sudo().search([("pending_step_key", "!=", False)])
    pending = {}
    for case in cases:
        new = _identity_key(spec_of(case.company_id, case.policy_version or ""), case.pending_step_key)
        if new:
            pending[case.id] = new
    _update(env["dunning.case"], pending, column="pending_step_key")
    _logger.info("Step keys in their identity form: %d step event(s), %d pending approval(s)",
                 len(rewrites), len(pending))
    return len(rewrites) + len(pending)


def _identity_key(spec, key):
    """``key`` in its identity form when it is an index-style key of a step ``spec`` has, else ``None``."""
    parsed = parse_step_key(key)
    journey = spec.journey(parsed.journey) if spec and parsed and parsed.index is not None else None
    if journey is None or parsed.index >= len(journey.steps):
        return None
    return make_step_key(parsed.journey, journey.steps[parsed.index], parsed.invoice_ids)


def _update(model, values, column="step_key"):
    """Write ``values`` (``{id: key}``) in one statement."""
    if not values:
        return
    model.flush_model([column])
    model.env.cr.execute(SQL(
        "UPDATE %s AS t SET %s = data.new FROM unnest(%s::int[], %s::varchar[]) AS data(id, new) WHERE t.id = data.id",
        SQL.identifier(model._table), SQL.identifier(column), list(values), list(values.values()),
    ))
    model.invalidate_model([column])
