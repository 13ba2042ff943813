#!/usr/bin/env python3
"""Small database chores for the Makefile, reading .dev/odoo.conf.

devdb.py exists NAME   exit 0 when the database exists, 1 otherwise
devdb.py drop NAME     drop the database and its filestore if they exist
"""

import configparser
import shutil
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

CONF = Path(__file__).resolve().parent.parent / ".dev" / "odoo.conf"


def connect():
    options = configparser.ConfigParser()
    options.read(CONF)
    section = options["options"]
    connection = psycopg2.connect(
        dbname="postgres",
        host=section.get("db_host"),
        port=section.get("db_port"),
        user=section.get("db_user"),
    )
    connection.autocommit = True
    return connection, Path(section.get("data_dir"))


def exists(name):
    connection, _ = connect()
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def drop(name):
    connection, data_dir = connect()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    connection.close()
    shutil.rmtree(data_dir / "filestore" / name, ignore_errors=True)


def main(argv):
    if len(argv) != 2 or argv[0] not in ("exists", "drop"):
        print(__doc__, file=sys.stderr)
        return 2
    command, name = argv
    if command == "exists":
        return 0 if exists(name) else 1
    drop(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
