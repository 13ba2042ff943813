import hashlib
import logging
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.modules import module as odoo_module
from odoo.tools import split_every

from ..policy.engine import decide
from ..run_values import RATING_DAYS_KEY, first_line

_logger = logging.getLogger(__name__)

# Customers decided and acted on per transaction: a crash loses at most one batch, which the next run redoes.
BATCH_SIZE = 200
# Namespace of the advisory locks a run holds on the customers of its current batch (models/dunning_run_locks.py).
RUN_LOCK = 72_010_019
# First key of the advisory lock a run holds on its company (second key) from start to end.
COMPANY_RUN_LOCK = 72_010_020
# Opt-in (with OCA queue_job installed): the run's batches become jobs on this channel.
JOBS_PARAMETER = "customer_aware_dunning.run_batches_as_jobs"
JOBS_CHANNEL = "root.dunning"
# "Run now" works in the manager's request up to this many customers to follow up (a system parameter can
# change it); beyond, it starts the scheduled job, which commits batch by batch, instead of holding one
# transaction (and one lock per customer) for minutes.
RUN_NOW_PARAMETER = "customer_aware_dunning.run_now_max_customers"
RUN_NOW_MAX_CUSTOMERS = 2000


class DunningRun(models.AbstractModel):
    """The daily collections run, one company at a time.

    Call order: load the policy (a configured file is imported first) → refresh
    the facts of every customer (one SQL statement) → assign segments by the
    policy's rules → open, extend and close cases.  ``decide`` never touches the
    database: :meth:`_case_inputs` builds its inputs in a few set-based reads,
    for the daily run, the dry run and the command line alike.  The cron and
    the "Run now" button both come through :meth:`_run_company`.
    """

    _name = "dunning.run"
    _description = "Collections Daily Run"

    @api.model
    def _cron_daily_run(self, today=None, batch_size=BATCH_SIZE, now=None):
        """The scheduled job: every company, as the system (the job's user need not belong to them all), each on
        its own date at ``now`` (UTC, default the job's start) in its collections time zone."""
        run = self.sudo()
        now = now or fields.Datetime.now()
        for company in run.env["res.company"].search([]):
            company_run = run.with_company(company)
            company_run._run_company_isolated(company, today or company._dunning_today(now), batch_size)

    @api.model
    def _run_company_isolated(self, company, today, batch_size=BATCH_SIZE):
        """The scheduled job's run of one company: a company that fails is logged and left to the next run,
        and the companies after it still get theirs.

        What the failed run had committed stays (whole batches); the rest is rolled
        back. Under a test runner, which owns the transaction, a savepoint stands
        in for the rollback.
        """
        try:
            with self._uncommitted_savepoint():
                self._run_company(company, today, batch_size, commit=True)
        except Exception as error:
            if self._commits():
                self.env.cr.rollback()
            _logger.exception(
                "Collections run for %s on %s failed; the other companies go on and the next run does it again",
                company.name, today,
            )
            # Odoo's way to tell the administrators (as a failing mail server does): their Discuss channel.
            self.env["ir.cron"].sudo()._notify_admin(self.env._(
                "Collections: the daily run for %(company)s on %(date)s failed (%(error)s). What it had "
                "committed stays, and the next run does the rest; the server log has the details.",
                company=company.name, date=today, error=first_line(error),
            ))
        else:
            self._commit()

    @contextmanager
    def _uncommitted_savepoint(self):
        if self._commits():
            yield
        else:
            with self.env.cr.savepoint():
                yield

    @api.model
    def _run_company(self, company, today, batch_size=BATCH_SIZE, commit=False):
        """The day's work for ``company``: ``(opened, closed)`` cases, or ``None`` when it was skipped.

        One run per company at a time: a run that finds another one working on
        the company (the cron and "Run now", two servers' crons, the command
        line) skips the company and logs why, instead of waiting on its locks
        or writing the same cases beside it.
        """
        with self._company_run_lock(company, commit) as alone:
            if not alone:
                _logger.info("Collections run for %s on %s skipped: another run is working on this company",
                             company.name, today)
                return None
            return self._run_company_locked(company, today, batch_size, commit)

    @api.model
    def _run_company_locked(self, company, today, batch_size=BATCH_SIZE, commit=False):
        """The day's work for ``company``; with ``commit``, each batch is committed as soon as it is done.

        Without it (the "Run now" button, demo data) the batches end at savepoints and
        the caller's transaction decides.
        """
        policy = self.env["dunning.policy"].sudo()._import_configured_file(company)
        spec = policy._get_spec()
        self.env["dunning.partner.facts"]._refresh(company, today)
        if spec is None:
            _logger.error("Collections run for %s: the active policy %s is invalid", company.name, policy.display_name)
        else:
            self._assign_segments(company, spec)
        opened, closed = self.env["dunning.case"]._sync_open_cases(company, today)
        self.env["dunning.case"]._settle_plans(company, today)
        self.env["dunning.promise"].sudo()._decide_promises(company, today)
        self.env["dunning.case"]._run_plans(company, spec, today)
        self.env["dunning.case"]._requeue_failed_mails(company)
        if commit:
            self._commit()
        decided = self._follow_up(company, policy, spec, today, batch_size, commit) if spec else 0
        self.env["dunning.case"]._after_close(company, spec, today)
        _logger.info(
            "Collections run for %s on %s: %d case(s) opened, %d closed, %d customer(s) decided",
            company.name, today, len(opened), len(closed), decided,
        )
        return opened, closed

    def _commit(self, processed=0):
        """Make the work so far durable, reporting progress to the cron when it runs us.

        Under a test runner the test owns the transaction (and rolls it back), so
        the cron's batches end at savepoints there.
        """
        self._keep_company_locks()  # before committing: a batch is never committed by a run that lost its company
        if self._commits():
            self.env["ir.cron"]._commit_progress(processed)

    @api.model
    def _commits(self):
        return not (odoo_module.current_test or tools.config["test_enable"])

    # ------------------------------------------------------------------ deciding and acting

    @api.model
    def _follow_up(self, company, policy, spec, today, batch_size=BATCH_SIZE, commit=False):
        """Decide and act for every customer with an invoice left to pay, one committed batch at a time.

        A batch that fails is done again in smaller parts down to single customers,
        and only a customer that fails alone is left out (:meth:`_follow_up_isolated`); the other
        batches go on. Returns how many customers the batches that went through decided for
        (0 when the batches were queued as jobs). Memory is bounded by the batch: what a batch
        read or wrote leaves the ORM cache with it, and no batch's records or decisions are kept.
        """
        customers = self.env["account.move"].sudo()._read_group(
            self._open_invoices_domain(company), ["commercial_partner_id"], order="commercial_partner_id",
        )
        partner_ids = [partner.id for partner, in customers]
        # The customers whose case needs attention (the run failed for them before) go last, together: their
        # batch is read once and each is acted on alone, and the other batches never hold one.
        flagged = self._flagged_customers(company, partner_ids)
        partner_ids = [p for p in partner_ids if p not in flagged] + [p for p in partner_ids if p in flagged]
        batches = list(split_every(batch_size, partner_ids, list))
        if self._batches_as_jobs():
            self._enqueue_batches(company, policy, today, batches)
            return 0
        _logger.info("Collections run for %s: %d batch(es) done by this process", company.name, len(batches))
        decided = 0
        suspects = set()  # the kinds of decision whose acting failed in a batch: the next batches try them apart
        # Read once for the run, not once per batch: which customers are flagged (a batch flags or clears only
        # its own customers, each in one batch) and how long a credit rating counts under the run's policy.
        run = self.with_context(**{RATING_DAYS_KEY: self.env["dunning.credit.observation"]._rating_valid_days(company)})
        for partner_ids in batches:
            try:
                with self.env.cr.savepoint():
                    decided += len(run._follow_up_isolated(company, policy, spec, today, partner_ids, suspects,
                                                           flagged=flagged))
            except Exception:
                _logger.exception(
                    "Collections run for %s: a batch of %d customer(s) failed; the next run does it again",
                    company.name, len(partner_ids),
                )
                continue
            if commit:
                self._commit(len(partner_ids))
            self.env.invalidate_all()
        return decided

    @api.model
    def _customers_to_follow_up(self, company):
        """How many customers have an invoice left to pay in ``company``: the customers a run decides for."""
        [(count,)] = self.env["account.move"].sudo()._read_group(
            self._open_invoices_domain(company), [], ["commercial_partner_id:count_distinct"],
        )
        return count

    @api.model
    def _run_now_limit(self):
        """How many customers "Run now" follows up in the request; beyond, it starts the scheduled job.

        The system parameter's value (default 2,000), capped by what the server's
        lock table holds: the request takes one advisory lock per customer and
        keeps them all until it ends (:meth:`_customer_locks_cap`).
        """
        value = self.env["ir.config_parameter"].sudo().get_param(RUN_NOW_PARAMETER)
        try:
            limit = int(value) if value else RUN_NOW_MAX_CUSTOMERS
        except ValueError:
            _logger.warning("System parameter %s is not a number (%r): %d is used",
                            RUN_NOW_PARAMETER, value, RUN_NOW_MAX_CUSTOMERS)
            limit = RUN_NOW_MAX_CUSTOMERS
        cap, settings = self._customer_locks_cap()
        if limit > cap:
            _logger.warning(
                "System parameter %s asks for %d customers in one transaction, more than PostgreSQL's lock table "
                "can hold beside the other sessions (%s): Run now follows up at most %d customers itself and starts "
                "the scheduled job for more. Raise max_locks_per_transaction on the server to allow more.",
                RUN_NOW_PARAMETER, limit, settings, cap,
            )
            return cap
        return limit

    @api.model
    def _batches_as_jobs(self):
        """Whether the batches go to OCA ``queue_job`` rather than being done by this process.

        Only when queue_job is installed (it is an optional peer, not a
        dependency) and the ``customer_aware_dunning.run_batches_as_jobs``
        parameter says so: queued jobs only run where queue_job's job runner is
        configured, so a database that merely has the module keeps the cron
        doing the batches itself.
        """
        if "queue.job" not in self.env:
            return False
        value = self.env["ir.config_parameter"].sudo().get_param(JOBS_PARAMETER, "False")
        return tools.str2bool(value, False)

    @api.model
    def _enqueue_batches(self, company, policy, today, batches):
        """One queue_job job per batch, on the ``root.dunning`` channel, so that several workers share the run.

        The jobs carry ids and plain values only: each reloads the company and
        the policy when it runs. The identity key keeps a second run of the day
        from queuing a batch that is still waiting; a batch done twice anyway
        sends nothing twice, the step keys see to that.
        """
        for partner_ids in batches:
            batch_key = hashlib.sha1(repr(partner_ids).encode()).hexdigest()
            self.with_delay(
                channel=JOBS_CHANNEL,
                description=f"Collections run for {company.name} on {today}: {len(partner_ids)} customer(s)",
                identity_key=f"dunning.run:{company.id}:{today}:{batch_key}",
            )._follow_up_job(company.id, policy.id, today, partner_ids)
        _logger.info(
            "Collections run for %s: %d batch(es) queued as jobs on channel %s",
            company.name, len(batches), JOBS_CHANNEL,
        )

    @api.model
    def _follow_up_job(self, company_id, policy_id, today, partner_ids):
        """A batch run as a queue_job job, in its own transaction: a failure is the job's to retry.

        As the scheduled job does, it works as the system in the batch's company. It re-reads what
        may have changed while it waited in the queue: the company's active policy (``policy_id``,
        the version active when the batch was queued, is only its description) and the run date
        (``today``, moved on by the days the job waited).
        """
        company = self.env["res.company"].browse(company_id)
        run = self.sudo().with_company(company)
        policy = run.env["dunning.policy"]._active_for(company)
        today = run._job_run_date(today)
        spec = policy._get_spec()
        if spec is None:
            _logger.error("Collections run for %s: the policy %s is invalid", company.name, policy.display_name)
            return "invalid policy: nothing decided"
        decisions = run._follow_up_isolated(company, policy, spec, today, partner_ids)
        return f"{len(decisions)} customer(s) decided"

    @api.model
    def _job_run_date(self, today):
        """The run date of a queued batch when it runs: the date it was queued for, moved on by the days
        (in the company's calendar) it waited in the queue since it was created."""
        uuid = self.env.context.get("job_uuid")
        job = self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1) if uuid else None
        if not job or not job.date_created:
            return today
        waited = (fields.Date.context_today(self) - fields.Date.context_today(self, job.date_created)).days
        return today + timedelta(days=max(waited, 0))

    @api.model
    def _follow_up_batch(self, company, policy, spec, today, partner_ids, errors=None, prepared=None):
        """Decide for ``partner_ids`` and act on the decisions; returns ``{partner: Decision}``.

        With ``errors`` (``{partner id: first line}``), a customer whose decision
        raises is left out and recorded there, and the others go on. ``prepared``,
        when given, gets the decisions before anything is acted on, so that a batch
        whose acting fails can be acted on again without reading and deciding again.
        """
        decisions = self._decide_batch(company, spec, today, partner_ids, errors)
        if prepared is not None:
            prepared.update(decisions)
        self._act_on_decisions(company, policy, spec, today, decisions)
        return decisions

    @api.model
    def _decide_batch(self, company, spec, today, partner_ids, errors=None):
        """``{partner: Decision}`` for the customers among ``partner_ids`` no other run works on (locked until the
        transaction ends): their inputs read in one go, then the engine asked for each."""
        locked = self._lock_customers(company, partner_ids)
        if len(locked) < len(partner_ids):
            _logger.info("Collections run: %d customer(s) skipped, another run is working on them",
                         len(partner_ids) - len(locked))
        inputs = self._case_inputs(company, today, self.env["res.partner"].browse(locked))
        if errors is None:
            return {partner: decide(spec, case, today) for partner, case in inputs.items()}
        decisions = {}
        for partner, case in inputs.items():
            try:
                decisions[partner] = decide(spec, case, today)
            except Exception as error:  # pure Python: nothing to roll back, the others are decided as usual
                _logger.exception("Collections run for %s: deciding for customer %d failed; the others go on",
                                  company.name, partner.id)
                errors[partner.id] = first_line(error)
        return decisions

    @api.model
    def _act_on_decisions(self, company, policy, spec, today, decisions):
        """Carry out ``decisions`` (``{partner: Decision}``) for ``company``, each kind in a batch."""
        # The case events are the trail: field tracking would say the same things again, one message per case.
        cases = self.env["dunning.case"].sudo().with_context(mail_notrack=True)
        cases._apply(company, policy, spec, today, decisions)
