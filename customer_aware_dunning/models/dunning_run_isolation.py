import logging
from collections import Counter

from odoo import api, models

from ..run_values import first_line

_logger = logging.getLogger(__name__)

# The share of a part holding a failing customer that is tried next (:meth:`DunningRunIsolation._find_failing`).
TRIED_SHARE = 2 / 3


class DunningRunIsolation(models.AbstractModel):
    """One customer that fails never silences its batch, and costs the batch little.

    How it works: a batch is decided (its inputs read in one go, the engine
    asked per customer) and acted on in a savepoint. A customer whose decision
    raises is left out there and then, at no cost to the others. When acting
    raises, the decisions already made are kept: the savepoint is rolled back
    and only the acting is done again, each part in a savepoint of its own: the
    failing customer is looked for in ever smaller parts (the larger share of a
    failing part tried first, the rest waiting untried), down to the single
    customer that fails alone, which is left out; what waited is then acted on
    together, once. Reading and deciding are done again only when the reading
    itself failed. The failing customer's case is flagged ("needs attention"),
    and the administrators and its collector are told once. On later days the flagged
    customers of a batch are kept out of it: they are decided together, after
    it, and each is acted on alone, so the batch goes through at its first try;
    when a flagged customer goes through, its flag is cleared.
    """

    _inherit = "dunning.run"

    @api.model
    def _follow_up_isolated(self, company, policy, spec, today, partner_ids, suspects=None, flagged=None):
        """:meth:`_follow_up_batch` for ``partner_ids``, leaving out (and recording) the customers that fail.

        ``suspects``: the kinds of decision (send a step, ask an approval, hold...)
        whose acting failed in an earlier batch of the run; the run keeps the set
        from batch to batch, and this call adds the kinds that fail in it. A batch
        acts on the suspect kinds apart from the others from its first try.
        ``flagged``: :meth:`_flagged_customers` of the run's customers when the run read it (else it is read).
        """
        suspects = set() if suspects is None else suspects
        if flagged is None:
            flagged = self._flagged_customers(company, partner_ids)
        else:
            flagged = {partner_id: flagged[partner_id] for partner_id in partner_ids if partner_id in flagged}
        healthy = [partner_id for partner_id in partner_ids if partner_id not in flagged]
        decided, errors, tally = {}, {}, Counter()
        if healthy:
            self._follow_up_parts(company, policy, spec, today, healthy, decided, errors, tally, suspects=suspects)
        if flagged:  # their own small batch, each acted on alone: they never hold the batch back again
            self._follow_up_parts(company, policy, spec, today, list(flagged), decided, errors, tally, alone=True)
        if errors or tally["failed"]:
            _logger.info(
                "Collections run for %s: a batch of %d customer(s), %d flagged before: %d left out, decided in "
                "%d read(s), acted on in %d attempt(s) of which %d failed",
                company.name, len(partner_ids), len(flagged), len(errors), tally["reads"], tally["acts"],
                tally["failed"],
            )
        self._record_isolation(company, today, errors, {partner.id for partner in decided} & flagged.keys())
        return decided

    @api.model
    def _follow_up_parts(self, company, policy, spec, today, partner_ids, decided, errors, tally, alone=False,
                         suspects=None):
        """Decide for ``partner_ids`` and act on the decisions, leaving out the customers that fail
        (``errors``: ``{partner id: line}``); ``decided`` gets the decisions acted on, ``tally`` counts the reads
        and the attempts to act (and the failed ones).

        ``alone``: act on each customer in a savepoint of its own at once (the
        customers that failed before), instead of trying them together first.
        ``suspects``: the kinds of decision that failed before in the run (see
        :meth:`_act_by_kind`); when there are some, the decisions are made first
        and the acting is done kind by kind.
        """
        suspects = set() if suspects is None else suspects
        prepared = {}
        failure = None
        if not alone and not suspects:
            tally["reads"] += 1
            tally["acts"] += 1
            try:
                with self.env.cr.savepoint():
                    decided.update(self._follow_up_batch(company, policy, spec, today, partner_ids, errors, prepared))
                return
            except Exception as error:
                failure = error
                tally["failed"] += 1
                _logger.warning(
                    "Collections run for %s: a batch of %d customer(s) failed (%s); %s", company.name,
                    len(partner_ids), first_line(error),
                    "its decisions are acted on again in parts, down to single customers" if prepared else
                    "it is read and decided again in halves, down to single customers",
                )
                if not prepared:
                    self._read_in_halves(company, policy, spec, today, partner_ids, error, decided, errors, tally)
                    return
            # The rollback released the customer locks: take them again (the decisions are kept, not redone).
            locked = set(self._lock_customers(company, [partner.id for partner in prepared]))
            prepared = {partner: decision for partner, decision in prepared.items() if partner.id in locked}
        else:
            tally["reads"] += 1
            try:
                with self.env.cr.savepoint():  # a read that fails aborts the transaction: roll it back
                    prepared = self._decide_batch(company, spec, today, partner_ids, errors)
            except Exception as error:
                self._read_in_halves(company, policy, spec, today, partner_ids, error, decided, errors, tally,
                                     alone=alone, suspects=suspects)
                return
        items = sorted(prepared.items(), key=lambda item: item[0].id)  # the same parts from run to run
        if alone:
            self._act_alone(company, policy, spec, today, items, decided, errors, tally)
        else:  # the suspect kinds apart from the others; when the batch failed as a whole, each kind apart
            self._act_by_kind(company, policy, spec, today, items, decided, errors, tally, suspects, failure)

    @api.model
    def _read_in_halves(self, company, policy, spec, today, partner_ids, error, decided, errors, tally, alone=False,
                        suspects=None):
        """Reading or deciding for ``partner_ids`` raised ``error``: each half again, down to the single customer
        that fails alone."""
        if len(partner_ids) == 1:
            self._isolated(company, partner_ids[0], error, errors)
            return
        half = len(partner_ids) // 2
        for part in (partner_ids[:half], partner_ids[half:]):
            self._follow_up_parts(company, policy, spec, today, part, decided, errors, tally, alone, suspects)

    @api.model
    def _act_by_kind(self, company, policy, spec, today, items, decided, errors, tally, suspects, failure=None):
        """Act on ``items`` (``(partner, Decision)``), leaving out the customers that fail alone: the kinds of
        decision in ``suspects`` (they failed before in the run) are tried apart, the others wait; with
        ``failure`` (acting on ``items`` together raised it) and no suspect kind among them, every kind is tried
        apart. A part of one kind that fails joins ``suspects`` and its failing customer is looked for
        (:meth:`_find_failing`); what is left waiting is acted on together at the end, once.

        A customer's decision has one kind, and :meth:`_act_on_decisions` acts
        on each kind apart anyway, so a part of one kind does what the batch
        did for those customers. What this saves: when one customer's step
        fails, the approvals, holds and closings of its batch are done once, not
        again with every part of the steps; and once a kind failed in a run, the
        next batches try it apart at once, so their first try fails for that
        kind only, and their other kinds wait for the one act at the end.
        """
        by_kind = {}
        for item in items:
            by_kind.setdefault(item[1].kind, []).append(item)
        apart = [group for kind, group in by_kind.items() if kind in suspects] if len(by_kind) > 1 else []
        if failure is None and not apart:
            failure = self._try_acting(company, policy, spec, today, items, decided, tally)
            if failure is None:
                return
        if not apart:  # which kind failed is not known: each apart (or the one kind there is)
            apart = list(by_kind.values())
        kinds_apart = {group[0][1].kind for group in apart}
        waiting = [item for item in items if item[1].kind not in kinds_apart]
        for group in apart:
            if failure is not None and len(group) == len(items):
                error = failure  # the very part that failed: no need to try it again
            else:
                error = self._try_acting(company, policy, spec, today, group, decided, tally)
            if error is not None:
                suspects.add(group[0][1].kind)
                self._find_failing(company, policy, spec, today, group, error, waiting, decided, errors, tally)
        if waiting:  # the others, together: a part that fails now holds another failing customer
            error = self._try_acting(company, policy, spec, today, waiting, decided, tally)
            if error is not None:
                self._act_by_kind(company, policy, spec, today, waiting, decided, errors, tally, suspects, error)

    @api.model
    def _find_failing(self, company, policy, spec, today, items, error, waiting, decided, errors, tally):
        """Acting on ``items`` raised ``error``: find a customer among them that fails alone and leave it out.

        The larger share of the part is tried (:data:`TRIED_SHARE`); when it
        fails, the failing customer is in it and the rest is added to ``waiting``
        untried; when it goes through, the failing customer is in the rest. Down
        to one customer, which is left out only when it fails alone. A part that
        fails stops at the failing statement (a few statements), while each part
        that goes through pays every statement of acting (the emails posted, the
        chatter logged): so the parts tried are large, and what waits is acted on
        once, with the batch's other kinds, instead of in parts of its own.
        """
        tried = True
        while len(items) > 1:
            size = max(1, min(len(items) - 1, round(len(items) * TRIED_SHARE)))
            first_error = self._try_acting(company, policy, spec, today, items[:size], decided, tally)
            if first_error is None:  # the failing customer is in the rest, not tried yet
                items, tried = items[size:], False
            else:
                waiting.extend(items[size:])
                items, error, tried = items[:size], first_error, True
        if not tried:
            error = self._try_acting(company, policy, spec, today, items, decided, tally)
            if error is None:
                return
        self._isolated(company, items[0][0].id, error, errors)

    @api.model
    def _try_acting(self, company, policy, spec, today, items, decided, tally):
        """Act on ``items`` in a savepoint: ``None`` when it went through (``decided`` gets them), else the error
        (the savepoint is rolled back)."""
        tally["acts"] += 1
        try:
            with self.env.cr.savepoint():
                self._act_on_decisions(company, policy, spec, today, dict(items))
        except Exception as error:
            tally["failed"] += 1
            return error
        decided.update(items)
        return None

    @api.model
    def _act_alone(self, company, policy, spec, today, items, decided, errors, tally):
        """Act on each of ``items`` (``(partner, Decision)``) in a savepoint of its own, leaving out the ones that
        fail (the customers flagged before: one of them never holds the others back)."""
        for item in items:
            error = self._try_acting(company, policy, spec, today, [item], decided, tally)
            if error is not None:
                self._isolated(company, item[0].id, error, errors)

    @api.model
    def _isolated(self, company, partner_id, error, errors):
        _logger.error("Collections run for %s: customer %d failed; the others go on", company.name, partner_id,
                      exc_info=error)
        errors[partner_id] = first_line(error)

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
                         ("needs_attention", "=", True)])._clear_failure()
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
        flagged._flag_failure(today, {case.id: errors[partner_id] for partner_id, case in cases.items()})
        return flagged
