"""Who follows a case up: the policy's ``owners`` rules pick the collector of each new case.

The first rule whose conditions hold for the customer's facts (and segment) names the owner:
the customer's salesperson, finance (a Collections manager), or a group's members; with
``assign: round_robin`` the member with the fewest open cases in the company, the lowest id on a
tie, counted as the batch assigns (so a batch of cases goes round the team). A collector set
by hand stays: the rules fill only cases without one, once, when they open. ``manual_only``
rules act in the engine (every message waits for the owner's approval).
"""

from collections import Counter

from odoo import api, models

from ..policy.sales import owner_rule
from ..policy.schema import GROUP_PREFIX, is_group_actor


class DunningCase(models.Model):
    _inherit = "dunning.case"

    def _open_cases(self, company, today, invoices_by_partner):
        cases = super()._open_cases(company, today, invoices_by_partner)
        cases._assign_owners(company)
        return cases

    def _assign_owners(self, company):
        """Set the collector of the cases without one by the active policy's ``owners`` rules."""
        cases = self.filtered(lambda case: not case.collector_id)
        spec = self.env["dunning.policy"].sudo()._active_spec(company) if cases else None
        if not spec or not spec.owners:
            return
        facts = self.env["dunning.partner.facts"].sudo()._policy_facts(company, cases.partner_id)
        segments = cases.partner_id.with_company(company).sudo()
        load = self._open_case_load(company)
        by_collector = {}
        for case in cases:
            segment = segments.browse(case.partner_id.id).dunning_segment_id.key
            rule = owner_rule(spec, {**facts.get(case.partner_id, {}), "segment": segment})
            collector = self._owner_user(case, rule, load) if rule else None
            if collector:
                load[collector] += 1
                by_collector.setdefault(collector, self.browse())
                by_collector[collector] |= case
        for collector, owned in by_collector.items():
            owned.write({"collector_id": collector.id})

    @api.model
    def _open_case_load(self, company):
        """``Counter({user: open cases they collect})`` in ``company``: one grouped read."""
        groups = self.sudo()._read_group(
            [("company_id", "=", company.id), ("state", "!=", "closed"), ("collector_id", "!=", False)],
            ["collector_id"], ["__count"],
        )
        return Counter(dict(groups))

    def _owner_user(self, case, rule, load):
        """The user ``rule`` makes the owner of ``case`` (``None``: nobody fits, the case stays unassigned)."""
        if rule.owner == "salesperson":
            return case.user_id if case.user_id and not case.user_id.share else None
        if is_group_actor(rule.owner):
            group = self.env.ref(rule.owner[len(GROUP_PREFIX):], raise_if_not_found=False)
            members = (group.all_user_ids if group else self.env["res.users"]).filtered(
                lambda user: case.company_id in user.company_ids and not user.share and user.active)
            if not members:
                return None
            if rule.assign == "round_robin":
                return min(members, key=lambda user: (load[user], user.id))
            return members.sorted("id")[0]
        return self.env["dunning.channel"]._finance_user(case.company_id)
