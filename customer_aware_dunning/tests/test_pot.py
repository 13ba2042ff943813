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

    def test_committed_pot_has_the_terms_odoo_exports(self):
        buffer = io.BytesIO()
        self.assertTrue(trans_export(None, ["customer_aware_dunning"], buffer, "po", self.env))
        exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode()) if not entry.obsolete}
        committed = {entry.msgid for entry in polib.pofile(str(POT)) if not entry.obsolete}
        missing, gone = sorted(exported - committed), sorted(committed - exported)
        self.assertFalse(missing or gone, (
            "i18n/customer_aware_dunning.pot is out of date: run `make pot` and translate the new terms.\n"
            f"{len(missing)} term(s) missing from it:\n" + "\n".join(f"  {msgid!r}" for msgid in missing)
            + f"\n{len(gone)} term(s) no longer exported:\n" + "\n".join(f"  {msgid!r}" for msgid in gone)
        ))
