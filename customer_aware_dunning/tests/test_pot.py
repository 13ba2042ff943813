import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

POT = Path(__file__).resolve().parent.parent / "i18n" / "customer_aware_dunning.pot"


@tagged("post_install", "-at_install")
class TestPotIsCurrent(TransactionCase):
    """The committed template holds exactly the terms Odoo exports from the module today.

    tests/test_translations.py checks each language file against the template; this checks the
    template against the code and data, so a new user-facing string fails here until
    ``make pot`` has exported it (and then the language files must translate it).
    """

    def _dependencies(self):
        """The addon and every module it depends on, directly or not."""
        known, todo = set(), self.env["ir.module.module"].search([("name", "=", "customer_aware_dunning")])
        while todo:
            known |= set(todo.mapped("name"))
            todo = todo.dependencies_id.depend_id.filtered(lambda module, known=known: module.name not in known)
        return known

    def _foreign(self, entry):
        """Whether every occurrence of ``entry`` is a field that a module outside the addon's dependencies
        adds to the addon's models (``calendar``, which ``crm`` in the test database brings, adds its next
        activity's event to every mail.activity.mixin): the template is exported where only the addon and
        its dependencies are installed, with whatever these auto-install): such a term may be in it or not."""
        known = self._dependencies()
        fields_seen = [occurrence for occurrence, _line in entry.occurrences
                       if occurrence.startswith("model:ir.model.fields,")]
        if not fields_seen or len(fields_seen) != len(entry.occurrences):
            return False
        for occurrence in fields_seen:
            record = self.env.ref(occurrence.split(":")[-1], raise_if_not_found=False)
            field = self.env[record.model]._fields.get(record.name) if record else None
            if field is None or set(getattr(field, "_modules", ())) & known:
                return False
        return True

    def test_committed_pot_has_the_terms_odoo_exports(self):
        buffer = io.BytesIO()
        self.assertTrue(trans_export(None, ["customer_aware_dunning"], buffer, "po", self.env))
        entries = [entry for entry in polib.pofile(buffer.getvalue().decode()) if not entry.obsolete]
        foreign = {entry.msgid for entry in entries if self._foreign(entry)}
        exported = {entry.msgid for entry in entries} - foreign
        committed = {entry.msgid for entry in polib.pofile(str(POT)) if not entry.obsolete} - foreign
        missing, gone = sorted(exported - committed), sorted(committed - exported)
        self.assertFalse(missing or gone, (
            "i18n/customer_aware_dunning.pot is out of date: run `make pot` and translate the new terms.\n"
            f"{len(missing)} term(s) missing from it:\n" + "\n".join(f"  {msgid!r}" for msgid in missing)
            + f"\n{len(gone)} term(s) no longer exported:\n" + "\n".join(f"  {msgid!r}" for msgid in gone)
        ))
