"""The run's advisory locks: one run per company at a time, and one per company and customer at a time."""

import logging
import threading
from contextlib import contextmanager

from odoo import api, models, sql_db
from odoo.tools import SQL

from ..run_lock import HELD, CompanyLock
from .dunning_run import COMPANY_RUN_LOCK, RUN_LOCK

_logger = logging.getLogger(__name__)

# The share of the server's lock table one transaction's customer locks may take: the rest stays for that
# transaction's own table and index locks and for every other session (PostgreSQL's lock table is shared, and a
# transaction that finds it full fails with "out of shared memory", whichever session filled it).
LOCK_TABLE_SHARE = 0.5


class DunningRunLocks(models.AbstractModel):
    _inherit = "dunning.run"

    @contextmanager
    def _company_run_lock(self, company, commit):
        """Yield whether this run has ``company`` to itself; the advisory lock lasts until the run ends.

        A run that commits as it goes holds a session lock on a connection of its
        own in autocommit (:class:`CompanyLock`): that connection is idle between the
        run's commits, never idle in a transaction, and opts out of the server's idle
        timeouts, so neither ``idle_in_transaction_session_timeout`` nor
        ``idle_session_timeout`` drops it (and the lock with it) mid-run; each commit
        checks it and takes it again if it was lost. The lock is released when
        the run ends, and by PostgreSQL when the process dies and its connections
        close. A run that does not commit holds it in its transaction, until its
        caller commits what it did.
        """
        key = (COMPANY_RUN_LOCK, company.id)
        if not commit:
            yield self.env.execute_query(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *key))[0][0]
            return
        _dbname, connection_info = sql_db.connection_info_for(self.env.cr.dbname)
        lock = CompanyLock(connection_info, key)
        held = (threading.get_ident(), self.env.cr.dbname, company.id)
        try:
            alone = lock.take()
            if alone:
                HELD[held] = lock
            try:
                yield alone
            finally:
                if alone:
                    HELD.pop(held, None)
                    lock.release()
        finally:
            lock.close()

    @api.model
    def _keep_company_locks(self):
        """At each commit of a run: the company locks this thread holds on this database are still held (taken
        again when their connection was lost); ``CompanyLockLost`` stops the run when another run has one."""
        thread, dbname = threading.get_ident(), self.env.cr.dbname
        for (held_thread, held_db, _company_id), lock in list(HELD.items()):
            if held_thread == thread and held_db == dbname:
                lock.keep()

    @api.model
    def _customer_locks_cap(self):
        """``(customers, settings)``: how many customer locks one transaction may hold, from the size of
        PostgreSQL's lock table (``max_locks_per_transaction`` x (``max_connections`` +
        ``max_prepared_transactions``) objects, for all sessions together), keeping a margin
        (:data:`LOCK_TABLE_SHARE`); ``settings`` says so in words, for the log."""
        [(per_transaction, connections, prepared)] = self.env.execute_query(SQL(
            "SELECT current_setting('max_locks_per_transaction')::int, current_setting('max_connections')::int, "
            "current_setting('max_prepared_transactions')::int"))
        size = per_transaction * (connections + prepared)
        settings = (f"max_locks_per_transaction {per_transaction} x (max_connections {connections} + "
                    f"max_prepared_transactions {prepared}) = {size} locks")
        return int(size * LOCK_TABLE_SHARE), settings

    @api.model
    def _lock_customers(self, company, partner_ids):
        """The customers among ``partner_ids`` that no other run of ``company`` is working on, held until the
        batch commits.

        Keyed per company and customer, so that the runs of two companies that
        share a customer both follow it up the same day. Advisory locks, so that
        people editing those customers are never blocked.
        """
        rows = self.env.execute_query(SQL(
            "SELECT id FROM unnest(%s::int[]) AS id WHERE pg_try_advisory_xact_lock(hashtext(%s), id)",
            list(partner_ids), self._customer_lock_namespace(company),
        ))
        return [partner_id for partner_id, in rows]

    @api.model
    def _customer_lock_namespace(self, company):
        """The first key of the customer locks of ``company``'s runs (``hashtext`` of this text)."""
        return f"customer_aware_dunning.customer_lock:{RUN_LOCK}:{company.id}"
