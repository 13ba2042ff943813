"""The run's advisory locks: one run per company at a time, and one per company and customer at a time."""

import logging
from contextlib import closing, contextmanager

import psycopg2

from odoo import api, models, sql_db
from odoo.tools import SQL

from .dunning_run import COMPANY_RUN_LOCK, RUN_LOCK

_logger = logging.getLogger(__name__)


class DunningRunLocks(models.AbstractModel):
    _inherit = "dunning.run"

    @contextmanager
    def _company_run_lock(self, company, commit):
        """Yield whether this run has ``company`` to itself; the advisory lock lasts until the run ends.

        A run that commits as it goes holds a session lock on a connection of its
        own in autocommit: that connection is idle between the run's commits, never
        idle in a transaction, so a server's ``idle_in_transaction_session_timeout``
        does not drop it (and the lock with it) mid-run. The lock is released when
        the run ends, and by PostgreSQL when the process dies and its connections
        close. A run that does not commit holds it in its transaction, until its
        caller commits what it did.
        """
        key = (COMPANY_RUN_LOCK, company.id)
        if not commit:
            yield self.env.execute_query(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *key))[0][0]
            return
        _dbname, connection_info = sql_db.connection_info_for(self.env.cr.dbname)
        with closing(psycopg2.connect(**connection_info)) as connection:
            connection.autocommit = True
            with connection.cursor() as lock_cr:
                lock_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
                alone = lock_cr.fetchone()[0]
            try:
                yield alone
            finally:
                if alone:
                    self._release_company_lock(connection, key)

    @api.model
    def _release_company_lock(self, connection, key):
        try:
            with connection.cursor() as lock_cr:
                lock_cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        except psycopg2.Error:
            # The connection is gone, and its session locks with it.
            _logger.warning("Collections run: the company lock's connection was lost before the run ended")

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
