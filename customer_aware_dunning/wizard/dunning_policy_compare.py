import difflib

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools.misc import html_escape

CONTEXT_LINES = 3
STYLES = {
    "+": "background-color:#e6ffec;",
    "-": "background-color:#ffebe9;",
    "@": "background-color:#ddf4ff;color:#57606a;",
    " ": "",
}


class DunningPolicyCompare(models.TransientModel):
    """The lines that differ between two versions of a policy, as a unified diff with line numbers."""

    _name = "dunning.policy.compare"
    _description = "Compare Collections Policy Versions"

    old_policy_id = fields.Many2one("dunning.policy", "Compare", ondelete="cascade")
    new_policy_id = fields.Many2one("dunning.policy", "With", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="new_policy_id.company_id")
    diff_html = fields.Html("Differences", compute="_compute_diff_html", sanitize=False)

    @api.depends("old_policy_id", "new_policy_id")
    def _compute_diff_html(self):
        for wizard in self:
            old, new = wizard.old_policy_id, wizard.new_policy_id
            wizard.diff_html = diff_html(
                old.yaml_text or "", new.yaml_text or "", old.display_name or _("nothing"), new.display_name or "",
                _("The two versions are identical."),
            )


def diff_html(old_text, new_text, old_name, new_name, same_text):
    """A unified diff of two texts as HTML; every text is escaped, the markup is ours."""
    lines = list(difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), old_name, new_name, n=CONTEXT_LINES, lineterm=""
    ))
    if not lines:
        return Markup("<p>%s</p>") % same_text
    rows = []
    old_number = new_number = 0
    for line in lines[2:]:
        mark = line[:1]
        if mark == "@":
            old_number, new_number = _hunk_start(line)
            numbers = ("", "")
        elif mark == "-":
            numbers = (old_number, "")
            old_number += 1
        elif mark == "+":
            numbers = ("", new_number)
            new_number += 1
        else:
            numbers = (old_number, new_number)
            old_number += 1
            new_number += 1
        rows.append(
            Markup('<tr style="%s"><td class="text-muted pe-2">%s</td><td class="text-muted pe-2">%s</td>'
                   '<td><pre class="m-0 p-0 bg-transparent border-0">%s</pre></td></tr>')
            % (STYLES.get(mark, ""), numbers[0], numbers[1], html_escape(line))
        )
    header = Markup('<p><span style="%s">- %s</span><br/><span style="%s">+ %s</span></p>') % (
        STYLES["-"], old_name, STYLES["+"], new_name,
    )
    table = Markup('<table class="o_dunning_policy_diff" style="font-family:monospace;width:100%%">%s</table>')
    return header + table % Markup("").join(rows)


def _hunk_start(line):
    """``@@ -12,5 +12,7 @@`` → ``(12, 12)``."""
    old, new = line.split(" ")[1:3]
    return int(old[1:].split(",")[0]), int(new[1:].split(",")[0])
