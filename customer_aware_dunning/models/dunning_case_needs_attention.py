"""A case whose customer the daily run could not follow up: flagged once, told once, cleared when it works again."""

from odoo import fields, models

from ..policy.text import Text
from ..texts import RUN_FAILED, RUN_RECOVERED

# The customers named in the administrators' message; the rest are counted.
MAX_LISTED = 20


class DunningCaseEventAttention(models.Model):
    _inherit = "dunning.case.event"

    kind = fields.Selection(
        selection_add=[("run_failed", "Run failed"), ("run_recovered", "Run works again")],
        ondelete={"run_failed": "cascade", "run_recovered": "cascade"},
    )


class DunningCaseAttention(models.Model):
    """The run's trouble with one customer, on its case: the others of its batch went on without it."""

    _inherit = "dunning.case"

    needs_attention = fields.Boolean(
        readonly=True, copy=False, index=True,
        help="The daily run failed for this customer: nothing is sent to it until the cause is fixed. "
        "The run tries it again alone every day and clears the flag when it works.",
    )
    run_error = fields.Char("Run error", readonly=True, copy=False, help="The first line of the run's error.")
    run_failed_since = fields.Date(readonly=True, copy=False, help="The first run day that failed for this customer.")

    def _flag_failure(self, today, errors):
        """Flag the cases of ``self`` not flagged yet (``errors``: ``{case id: first line of the error}``), and tell
        the administrators (one Discuss post for them all) and each case's collector (one activity) once.

        The cases already flagged keep their flag, date and activity: a customer
        that fails every day is told about once, on the first day.
        """
        new = self.filtered(lambda case: not case.needs_attention)
        for case in new:
            case.write({"needs_attention": True, "run_error": errors[case.id], "run_failed_since": today})
        if not new:
            return new
        # kept as data, read in each reader's language; the error stays as the run wrote it
        new._log_events("run_failed", {case.id: Text(RUN_FAILED, error=errors[case.id]) for case in new})
        users = self.env["dunning.channel"]._actors([(case, "finance") for case in new])
        activities = {}
        for case, user in zip(new, users, strict=True):
            env = self.with_context(lang=user.lang or self.env.lang).env  # in the words of who acts
            activities[case] = {
                "summary": env._("Collections run failed for this customer"),
                "note": env._("The daily run could not follow up %(customer)s: %(error)s",
                              customer=case.partner_id.display_name, error=errors[case.id]),
                "user_id": user.id,
            }
        new._schedule_activities(activities)
        listed = new.sorted(lambda case: (case.partner_id.display_name or "", case.id))[:MAX_LISTED]
        lines = [f"{case.partner_id.display_name} ({case.name}): {errors[case.id]}" for case in listed]
        if len(new) > MAX_LISTED:
            lines.append(self.env._("and %(count)s more", count=len(new) - MAX_LISTED))
        self.env["ir.cron"].sudo()._notify_admin(self.env._(
            "Collections: on %(date)s the daily run of %(company)s failed for %(count)s customer(s): %(failures)s. "
            "The other customers were followed up; these are tried again alone every day, nothing is sent to "
            "them until the cause is fixed, and their cases show “Needs attention”.",
            date=today, company=new[0].company_id.name, count=len(new), failures="; ".join(lines),
        ))
        return new

    def _clear_failure(self):
        """The run worked again for the flagged cases of ``self``: clear the flag and say so on each case."""
        flagged = self.filtered("needs_attention")
        if not flagged:
            return flagged
        flagged.write({"needs_attention": False, "run_error": False, "run_failed_since": False})
        flagged._log_events("run_recovered", dict.fromkeys(flagged.ids, Text(RUN_RECOVERED)))
        return flagged
