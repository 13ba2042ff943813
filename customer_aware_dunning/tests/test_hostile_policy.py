"""Hostile policy documents on the Odoo side: a bad version or file never replaces the active policy.

Each document goes through the paths an administrator or the daily run uses: the
form's problem count, Validate, Activate, and the policy file import (button and
daily run). Each is refused with a ValidationError or a chatter note naming the
problem (with its line where YAML gives one), the active version, its segments and
delay reasons stay as they were, and no other exception escapes.
"""

import os
import tempfile

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..policy.yaml_source import MAX_BYTES, MAX_DEPTH, MAX_NODES
from .test_policy_document import SMALL_POLICY, PolicyCommon

ALIAS_BOMB = "\n".join(
    ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
)

# name: (document, a part of the message it gets)
HOSTILE_DOCUMENTS = {
    "syntax-error": ("version: 1\nsegments: [a, b\n", "YAML syntax error"),
    "undefined-alias": ("version: 1\nsegments: *nope\n", "found undefined alias 'nope' (line 2, column 11)"),
    "python-object-apply": ("version: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
                            "the tag '!!python/object/apply:os.system' is not allowed"),
    "python-name": ("version: 1\ndescription: !!python/name:os.system\n", "the tag '!!python/name:os.system'"),
    "alias-bomb": (ALIAS_BOMB, f"the document expands to more than {MAX_NODES} values"),
    "deep-nesting": ("[" * 1000 + "]" * 1000, f"the document nests deeper than {MAX_DEPTH} levels"),
    "self-alias": ("a: &a [*a]\n", f"the document nests deeper than {MAX_DEPTH} levels"),
    "too-large": ("description: " + "x" * (MAX_BYTES + 1), f"the limit is {MAX_BYTES} bytes"),
    "not-a-mapping": ("- just\n- a list\n", "expected a mapping"),
    "impossible-date": ("version: 2026-02-30\n", "cannot read the value '2026-02-30'"),
    "huge-integer": ("version: " + "9" * 5000 + "\n", "cannot read the value"),
}


@tagged("post_install", "-at_install")
class TestHostilePolicyVersions(PolicyCommon):

    def snapshot(self):
        active = self.Policy._active_for(self.company)
        domain = [("company_id", "in", [self.company.id, False])]
        segments = self.env["dunning.segment"].with_context(active_test=False).search(domain)
        reasons = self.env["dunning.delay.reason"].with_context(active_test=False).search(domain)
        return (
            active.id, active.version, active.yaml_text, active.state,
            sorted(segments.mapped(lambda s: (s.key, s.name, s.active))),
            sorted(reasons.mapped(lambda r: (r.key, r.name, r.active))),
        )

    def test_hostile_versions_are_refused_and_the_active_one_stays(self):
        before = self.snapshot()
        for name, (text, message) in HOSTILE_DOCUMENTS.items():
            with self.subTest(document=name):
                draft = self.new_version(text)
                self.assertGreater(draft.error_count, 0)
                self.assertIn(message, draft.error_text)
                with self.assertRaisesRegex(ValidationError, "problem"):
                    draft.action_validate()
                with self.assertRaises(ValidationError) as refused:
                    draft.action_activate()
                self.assertIn(message, str(refused.exception))
                self.assertIn("stays in force", str(refused.exception))
                self.assertEqual(draft.state, "draft")
                self.assertEqual(self.snapshot(), before)

    def test_a_nul_character_is_refused_before_the_database_sees_it(self):
        before = self.snapshot()
        draft = self.new_version(SMALL_POLICY)
        for text in ("version: 1\x00\n", SMALL_POLICY + "# \x00"):
            with self.subTest(text=text[:12]), self.assertRaisesRegex(ValidationError, "NUL character on line"):
                draft.yaml_text = text
                draft.flush_recordset()
        self.assertEqual(draft.yaml_text, SMALL_POLICY)
        with self.assertRaisesRegex(ValidationError, "NUL character on line 2"):
            self.Policy.with_user(self.collections_manager).create({"yaml_text": "version: 1\n\x00"})
        self.assertEqual(self.snapshot(), before)

    def test_hostile_files_are_not_imported_and_the_active_one_stays(self):
        before = self.snapshot()
        files = {name: text.encode("utf-8") for name, (text, _message) in HOSTILE_DOCUMENTS.items()}
        files["nul-character"] = b"version: 1\x00\n"
        files["latin-1"] = b"version: 1\ndescription: caf\xe9\n"
        files["binary"] = bytes(range(256)) * 4
        expected = {name: message for name, (_text, message) in HOSTILE_DOCUMENTS.items()}
        expected["nul-character"] = "unacceptable character #x0000: special characters are not allowed (line 1)"
        expected["too-large"] = f"the file is larger than {MAX_BYTES // 1024} KiB"
        expected["latin-1"] = "the file is not UTF-8 text (byte 27) (line 2)"
        expected["binary"] = "the file is not UTF-8 text (byte 128) (line 2)"
        directory = tempfile.mkdtemp()
        self.addCleanup(os.rmdir, directory)
        for name, data in files.items():
            with self.subTest(file=name):
                path = os.path.join(directory, f"{name}.yaml")
                with open(path, "wb") as handle:
                    handle.write(data)
                self.addCleanup(os.unlink, path)
                active = self.Policy._import_file(self.company, path)
                self.assertEqual(active.id, before[0])
                self.assertIn(expected[name], active.message_ids[0].body)
                with self.assertRaisesRegex(ValidationError, "was not imported"):
                    self.Policy.with_user(self.collections_manager)._import_file(
                        self.company, path, raise_on_error=True)
                self.assertEqual(self.snapshot(), before)
        # A folder where a file is expected: noted, not raised.
        self.assertEqual(self.Policy._import_file(self.company, directory).id, before[0])
        self.assertIn("cannot read the file", self.Policy.browse(before[0]).message_ids[0].body)
        self.assertEqual(self.Policy.search_count([("company_id", "=", self.company.id), ("source", "=", "file")]), 0)
