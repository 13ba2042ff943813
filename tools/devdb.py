#!/usr/bin/env python3
"""Small database chores for the Makefile, reading .dev/odoo.conf.

devdb.py exists NAME   exit 0 when the database exists, 1 otherwise
devdb.py drop NAME     drop the database and its filestore if they exist
devdb.py copy NAME TO  (re)create TO as a copy of NAME, filestore included (nobody may be connected to NAME)
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


def copy(name, to):
    drop(to)
    connection, data_dir = connect()
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(to), sql.Identifier(name)))
    connection.close()
    if (data_dir / "filestore" / name).exists():
        shutil.copytree(data_dir / "filestore" / name, data_dir / "filestore" / to)


def main(argv):
    if not argv or (argv[0], len(argv)) not in (("exists", 2), ("drop", 2), ("copy", 3)):
        print(__doc__, file=sys.stderr)
        return 2
    command, name, *rest = argv
    if command == "exists":
        return 0 if exists(name) else 1
    if command == "copy":
        copy(name, *rest)
        return 0
    drop(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
