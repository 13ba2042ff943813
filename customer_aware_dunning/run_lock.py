"""The company lock of a run that commits as it goes: a session advisory lock on a connection of its own."""

import logging

import psycopg2

_logger = logging.getLogger(__name__)

# The company locks this process holds, by (thread, database, company id): the run's commits check them.
HELD = {}
# TCP keep-alives on the lock's connection, so that a firewall or NAT between the run and the database does
# not drop a connection idle between commits (libpq's parameters, in seconds).
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10, "keepalives_count": 5}


class CompanyLockLost(Exception):
    """The company lock's connection was lost and another run has taken the company since: this run stops."""


class CompanyLock:
    """A session advisory lock on a connection of its own, in autocommit: idle between the run's commits, never
    idle in a transaction.

    The connection opts out of PostgreSQL's idle timeouts for itself
    (``idle_session_timeout``, ``idle_in_transaction_session_timeout``: its
    idleness is the point), and uses TCP keep-alives. Should it be lost anyway
    (a server restart, an administrator's ``pg_terminate_backend``), :meth:`keep`
    connects again and takes the lock again, or says that another run has it.
    """

    def __init__(self, connection_info, key):
        self.connection_info, self.key, self.connection = connection_info, key, None

    def take(self):
        """Connect and try the lock: whether this run has the company to itself."""
        self.close()
        self.connection = psycopg2.connect(**{**KEEPALIVES, **self.connection_info})
        self.connection.autocommit = True
        with self.connection.cursor() as cr:
            if self.connection.server_version >= 140000:  # idle_session_timeout is PostgreSQL 14's
                cr.execute("SET idle_session_timeout = 0")
            cr.execute("SET idle_in_transaction_session_timeout = 0")
            cr.execute("SELECT pg_try_advisory_lock(%s, %s)", self.key)
            return cr.fetchone()[0]

    def keep(self):
        """Check that the lock is still held (a round trip on its connection); when the connection was lost,
        connect and take the lock again. Raises :class:`CompanyLockLost` when another run has it now."""
        try:
            with self.connection.cursor() as cr:
                cr.execute("SELECT 1")
            return
        except psycopg2.Error as error:
            _logger.warning("Collections run: the company lock's connection was lost (%s); locking again",
                            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
        if not self.take():
            raise CompanyLockLost("the company lock was lost and another run is working on this company now")
        _logger.warning("Collections run: the company is locked again on a new connection; the run goes on")

    def release(self):
        if self.connection is None:
            return
        try:
            with self.connection.cursor() as cr:
                cr.execute("SELECT pg_advisory_unlock(%s, %s)", self.key)
        except psycopg2.Error:
            # The connection is gone, and its session locks with it.
            _logger.warning("Collections run: the company lock's connection was lost before the run ended")

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None
