import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


def first_line(error):
    """The first line of ``error``'s message, or its type's name when it has none."""
    return next(iter(str(error).strip().splitlines()), "") or type(error).__name__


class DunningRunIsolation(models.AbstractModel):
    """One customer that fails never silences its batch.

    How it works: a batch runs in a savepoint; when it raises, it is rolled
    back and each half is done again the same way, down to single customers,
    each in a savepoint of its own, so that only the customer that fails alone
    is left out. Its case is flagged
    ("needs attention"), and the administrators and its collector are told
    once. A flagged customer is kept out of the batches on later days and
    tried alone, so it costs one savepoint, not a batch done twice; when it
    goes through, the flag is cleared.
    """

    _inherit = "dunning.run"

    @api.model
    def _follow_up_isolated(self, company, policy, spec, today, partner_ids):
        """:meth:`_follow_up_batch` for ``partner_ids``, leaving out (and recording) the customers that fail."""
        flagged = self._flagged_customers(company, partner_ids)
        healthy = [partner_id for partner_id in partner_ids if partner_id not in flagged]
        decided, errors = {}, {}
        if healthy:
            self._follow_up_parts(company, policy, spec, today, healthy, decided, errors)
        for partner_id in flagged:  # alone: a customer that failed before never holds its batch back again
            self._follow_up_parts(company, policy, spec, today, [partner_id], decided, errors)
        self._record_isolation(company, today, errors, {partner.id for partner in decided} & flagged.keys())
        return decided

    @api.model
    def _follow_up_parts(self, company, policy, spec, today, partner_ids, decided, errors):
        """Follow ``partner_ids`` up in a savepoint; when that raises, do each half again the same way, down to
        single customers: only the customers that fail alone are left out (``errors``: ``{partner id: line}``).

        Halving keeps the batches large around a failing customer: with one
        customer failing in 200, about 16 smaller batches are done again, not 200
        single customers.
        """
        try:
            with self.env.cr.savepoint():
                decided.update(self._follow_up_batch(company, policy, spec, today, partner_ids))
        except Exception as error:
            if len(partner_ids) == 1:
                _logger.exception("Collections run for %s: customer %d failed; the others go on",
                                  company.name, partner_ids[0])
                errors[partner_ids[0]] = first_line(error)
                return
            _logger.warning(
                "Collections run for %s: a batch of %d customer(s) failed (%s); done again in halves, down to "
                "single customers", company.name, len(partner_ids), first_line(error),
            )
            half = len(partner_ids) // 2
            self._follow_up_parts(company, policy, spec, today, partner_ids[:half], decided, errors)
            self._follow_up_parts(company, policy, spec, today, partner_ids[half:], decided, errors)

    @api.model
    def _flagged_customers(self, company, partner_ids):
        """``{partner id: case}`` of the customers among ``partner_ids`` whose open case needs attention."""
        cases = self.env["dunning.case"].sudo().search([
            ("company_id", "=", company.id), ("partner_id", "in", list(partner_ids)),
            ("state", "!=", "closed"), ("needs_attention", "=", True),
        ])
        return {case.partner_id.id: case for case in cases}

    @api.model
    def _record_isolation(self, company, today, errors, recovered):
        """Flag the cases of the customers that failed (``{partner id: error line}``), opening one where the
        customer has none yet, and clear the flag of the ``recovered`` ones."""
        Case = self.env["dunning.case"].sudo().with_context(mail_notrack=True)
        if recovered:
            Case.search([("company_id", "=", company.id), ("partner_id", "in", list(recovered)),
                         ("needs_attention", "=", True)])._dunning_clear_failure()
        if not errors:
            return Case
        cases = {case.partner_id.id: case for case in Case.search([
            ("company_id", "=", company.id), ("partner_id", "in", list(errors)), ("state", "!=", "closed"),
        ])}
        without_case = [partner_id for partner_id in errors if partner_id not in cases]
        if without_case:  # a customer with nothing overdue yet (its first step comes before the due date)
            partners = self.env["res.partner"].browse(without_case)
            opened = Case._open_for_notice(company, today, partners)
            cases.update((case.partner_id.id, case) for case in opened.values())
        flagged = Case.union(*cases.values())
        flagged._dunning_flag_failure(today, {case.id: errors[partner_id] for partner_id, case in cases.items()})
        return flagged
