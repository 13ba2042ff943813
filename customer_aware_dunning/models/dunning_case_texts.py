"""The case's sentences kept as data (see ``texts.py``) and shown in the reader's language.

``pause_reason``, ``pending_step`` and ``current_step`` read their ``*_data`` field, a
JSON Text, in the language of whoever reads the case; words written to them (a hold's
reason typed by a person) are kept as written.
"""

from odoo import api, fields, models

from ..texts import Reader, to_data

TEXT_FIELDS = {"pause_reason": "pause_reason_data", "pending_step": "pending_step_data",
               "current_step": "current_step_data"}


class DunningCase(models.Model):
    _inherit = "dunning.case"

    pause_reason_data = fields.Json(readonly=True, copy=False, help="Why the case is paused, as data (a Text).")
    pending_step_data = fields.Json(readonly=True, copy=False, help="The step waiting for an approval, as data.")
    current_step_data = fields.Json(readonly=True, copy=False, help="The last step done, as data.")
    pause_reason = fields.Char(compute="_compute_texts", inverse="_inverse_pause_reason")
    pending_step = fields.Char(compute="_compute_texts", inverse="_inverse_pending_step")
    current_step = fields.Char(compute="_compute_texts", inverse="_inverse_current_step")

    @api.depends_context("lang")
    @api.depends("pause_reason_data", "pending_step_data", "current_step_data")
    def _compute_texts(self):
        readers = {}
        for case in self:
            reader = readers.setdefault(case.company_id, Reader(self.env, case.company_id))
            for name, data_name in TEXT_FIELDS.items():
                case[name] = reader.render(case[data_name]) or False

    def _inverse_pause_reason(self):
        for case in self:
            case.pause_reason_data = to_data(case.pause_reason or None)

    def _inverse_pending_step(self):
        for case in self:
            case.pending_step_data = to_data(case.pending_step or None)

    def _inverse_current_step(self):
        for case in self:
            case.current_step_data = to_data(case.current_step or None)
