"""19.0.1.1.0: the case's and its events' texts become data (see ``texts.py``).

Before, the run stored each sentence rendered, in the language of whoever ran it.
Those words cannot be turned back into templates, so each stored text is kept as
written (``{"s": words}``) in its new JSON column, and the old column is dropped.
The next daily run replaces a migrated pause's words by the engine's Text without
a new event, as long as its date is unchanged (``_hold_by_policy``).
"""

from odoo.tools import SQL

# (table, rendered column before, its JSON column now)
TEXT_COLUMNS = (
    ("dunning_case_event", "description", "description_data"),
    ("dunning_case_event", "rule", "rule_data"),
    ("dunning_case", "pause_reason", "pause_reason_data"),
    ("dunning_case", "pending_step", "pending_step_data"),
    ("dunning_case", "current_step", "current_step_data"),
)


def texts_to_data(cr):
    """Move every rendered text of ``TEXT_COLUMNS`` into its JSON column as written; return the rows moved."""
    moved = 0
    for table, old, new in TEXT_COLUMNS:
        cr.execute(SQL("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                       table, old))
        if not cr.fetchone():
            continue
        cr.execute(SQL("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s jsonb", SQL.identifier(table), SQL.identifier(new)))
        cr.execute(SQL(
            "UPDATE %(table)s SET %(new)s = jsonb_build_object('s', %(old)s) "
            "WHERE %(old)s IS NOT NULL AND %(old)s != '' AND %(new)s IS NULL",
            table=SQL.identifier(table), old=SQL.identifier(old), new=SQL.identifier(new),
        ))
        moved += cr.rowcount
        cr.execute(SQL("ALTER TABLE %s DROP COLUMN %s", SQL.identifier(table), SQL.identifier(old)))
    return moved
