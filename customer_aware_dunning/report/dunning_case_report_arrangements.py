from odoo import fields, models
from odoo.tools import SQL


class DunningCaseReport(models.Model):
    """The arrangements of each case in the shared analysis: payment plans, promises, hand-overs.

    Counts per case (summed in grouped rows): plans agreed, completed and broken,
    promises kept and broken, hand-overs; and the case's recovered amount
    attributed to each kind of arrangement it had (a case with a completed plan,
    a kept promise, a hand-over), so the report shows what each brought in.
    """

    _inherit = "dunning.case.report"

    plans_agreed_count = fields.Integer("Plans agreed", readonly=True)
    plans_completed_count = fields.Integer("Plans completed", readonly=True)
    plans_broken_count = fields.Integer("Plans broken", readonly=True)
    promises_kept_count = fields.Integer("Promises kept", readonly=True)
    promises_broken_count = fields.Integer("Promises broken", readonly=True)
    handed_over_count = fields.Integer("Hand-overs", readonly=True)
    recovered_by_plan = fields.Monetary("Recovered through plans", readonly=True)
    recovered_by_promise = fields.Monetary("Recovered through promises", readonly=True)
    recovered_by_handover = fields.Monetary("Recovered through hand-overs", readonly=True)

    def _select(self) -> SQL:
        return SQL(
            """%s,
                   COALESCE(plan.agreed, 0) AS plans_agreed_count,
                   COALESCE(plan.completed, 0) AS plans_completed_count,
                   COALESCE(plan.broken, 0) AS plans_broken_count,
                   COALESCE(promise.kept, 0) AS promises_kept_count,
                   COALESCE(promise.broken, 0) AS promises_broken_count,
                   COALESCE(c.outcome = 'handed_over', FALSE)::int AS handed_over_count,
                   CASE WHEN COALESCE(plan.completed, 0) > 0 THEN COALESCE(c.amount_recovered, 0) ELSE 0 END
                       AS recovered_by_plan,
                   CASE WHEN COALESCE(promise.kept, 0) > 0 THEN COALESCE(c.amount_recovered, 0) ELSE 0 END
                       AS recovered_by_promise,
                   CASE WHEN c.outcome = 'handed_over' THEN COALESCE(c.amount_recovered, 0) ELSE 0 END
                       AS recovered_by_handover
            """,
            super()._select(),
        )

    def _from(self) -> SQL:
        return SQL(
            """%s
            LEFT JOIN (
                SELECT case_id,
                       COUNT(*) FILTER (WHERE agreed_on IS NOT NULL) AS agreed,
                       COUNT(*) FILTER (WHERE state = 'completed') AS completed,
                       COUNT(*) FILTER (WHERE state = 'broken') AS broken
                  FROM dunning_payment_plan
                 GROUP BY case_id
            ) plan ON plan.case_id = c.id
            LEFT JOIN (
                SELECT case_id,
                       COUNT(*) FILTER (WHERE state = 'kept') AS kept,
                       COUNT(*) FILTER (WHERE state = 'broken') AS broken
                  FROM dunning_promise
                 WHERE case_id IS NOT NULL
                 GROUP BY case_id
            ) promise ON promise.case_id = c.id
            """,
            super()._from(),
        )
