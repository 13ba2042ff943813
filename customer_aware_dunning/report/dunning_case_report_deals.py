from odoo import fields, models
from odoo.tools import SQL


class DunningCaseReport(models.Model):
    """Steps held for open deals in the shared analysis, and how each hold ended.

    Counts per case (summed in grouped rows, so per salesperson, segment or month they are
    the group's holds): every hold, the salesperson's answers (approved, held again) and,
    for the holds nobody answered, how they ended (deal won, deal lost, paid, days over).
    See ``dunning.deal.hold``.
    """

    _inherit = "dunning.case.report"

    deal_hold_count = fields.Integer("Held for a deal", readonly=True)
    deal_approved_count = fields.Integer("Deal holds approved", readonly=True)
    deal_held_again_count = fields.Integer("Deal holds held again", readonly=True)
    deal_won_count = fields.Integer("Deal holds: deal won", readonly=True)
    deal_lost_count = fields.Integer("Deal holds: deal lost", readonly=True)
    deal_paid_count = fields.Integer("Deal holds: paid", readonly=True)
    deal_expired_count = fields.Integer("Deal holds: days over", readonly=True)

    def _select(self) -> SQL:
        return SQL(
            """%s,
                   COALESCE(deal.holds, 0) AS deal_hold_count,
                   COALESCE(deal.approved, 0) AS deal_approved_count,
                   COALESCE(deal.held_again, 0) AS deal_held_again_count,
                   COALESCE(deal.won, 0) AS deal_won_count,
                   COALESCE(deal.lost, 0) AS deal_lost_count,
                   COALESCE(deal.paid, 0) AS deal_paid_count,
                   COALESCE(deal.expired, 0) AS deal_expired_count
            """,
            super()._select(),
        )

    def _from(self) -> SQL:
        return SQL(
            """%s
            LEFT JOIN (
                SELECT case_id,
                       COUNT(*) AS holds,
                       COUNT(*) FILTER (WHERE outcome = 'approved') AS approved,
                       COUNT(*) FILTER (WHERE outcome = 'held_again') AS held_again,
                       COUNT(*) FILTER (WHERE outcome = 'deal_won') AS won,
                       COUNT(*) FILTER (WHERE outcome = 'deal_lost') AS lost,
                       COUNT(*) FILTER (WHERE outcome = 'paid') AS paid,
                       COUNT(*) FILTER (WHERE outcome = 'expired') AS expired
                  FROM dunning_deal_hold
                 GROUP BY case_id
            ) deal ON deal.case_id = c.id
            """,
            super()._from(),
        )
