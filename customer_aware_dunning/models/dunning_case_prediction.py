from odoo import api, fields, models


class DunningCase(models.Model):
    """What the case's invoices are expected to bring: when the customer will pay and the amount at stake.

    Follows its invoices' predictions (``account_move_prediction.py``): the case is settled when its
    last invoice is, and its expected loss is the sum of theirs, so the work list can rank by risk.
    """

    _inherit = "dunning.case"

    predicted_payment_date = fields.Date(
        "Predicted payment", compute="_compute_prediction", store=True,
        help="When the customer is expected to have paid every invoice of the case, from its own history.")
    expected_loss = fields.Monetary(
        compute="_compute_prediction", store=True,
        help="The amounts due times the chance that the customer pays them late.")
    late_chance = fields.Float(
        "Chance of paying late", compute="_compute_prediction", store=True, aggregator="avg")
    prediction_note = fields.Char("Why this date", compute="_compute_prediction_note")

    @api.depends("invoice_ids.dunning_predicted_date", "invoice_ids.dunning_expected_loss",
                 "invoice_ids.dunning_late_chance")
    def _compute_prediction(self):
        for case in self:
            predicted = case.invoice_ids.filtered("dunning_predicted_date")
            case.predicted_payment_date = max(predicted.mapped("dunning_predicted_date"), default=False)
            case.expected_loss = sum(predicted.mapped("dunning_expected_loss"))
            case.late_chance = max(predicted.mapped("dunning_late_chance"), default=0.0)

    @api.depends("invoice_ids.dunning_prediction_note", "predicted_payment_date")
    def _compute_prediction_note(self):
        for case in self:
            last = case.invoice_ids.filtered(
                lambda move, case=case: move.dunning_predicted_date
                and move.dunning_predicted_date == case.predicted_payment_date)
            case.prediction_note = last[:1].dunning_prediction_note or False
