import logging
import os

from odoo import _, api, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import config

from ..client_actions import notification
from ..policy.yaml_source import read_policy_file

_logger = logging.getLogger(__name__)

# Where a policy file may be named: the server's configuration file first, then a system parameter.
FILE_OPTION = "dunning_policy_file"
FILE_PARAMETER = "customer_aware_dunning.policy_file"


class DunningPolicy(models.Model):
    """Policy files: a file named in the configuration becomes a new active version when it is valid.

    The import button and the daily run call :meth:`_import_file`; the file is
    judged like a document edited in Odoo (:meth:`_checked`).
    """

    _inherit = "dunning.policy"

    def action_import_file(self):
        """Import the file named in the configuration as a new version, and activate it when valid."""
        self._check_manager()
        company = self.company_id[:1] or self.env.company
        path = self._configured_file()
        if not path:
            raise UserError(_(
                "No policy file is configured. Name one in the server's configuration file "
                "(%(option)s = /path/to/policy.yaml) or in the system parameter %(parameter)s.",
                option=FILE_OPTION, parameter=FILE_PARAMETER,
            ))
        before = self._active_for(company)
        policy = self._import_file(company, path, raise_on_error=True)
        if policy == before:
            return notification(_("%(path)s is the same as %(name)s: nothing to import.", path=path,
                                   name=before.display_name))
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": policy.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _configured_file(self):
        """The policy file named in the configuration file, else in the system parameter ("" when none)."""
        parameter = self.env["ir.config_parameter"].sudo().get_param(FILE_PARAMETER)
        return (config.get(FILE_OPTION) or parameter or "").strip()

    @api.model
    def _import_configured_file(self, company):
        """The daily run's step: import the configured file, if any; problems are logged, never raised."""
        path = self._configured_file()
        return self._import_file(company, path) if path else self._active_for(company)

    @api.model
    def _import_file(self, company, path, raise_on_error=False):
        """Load ``path`` through the validator as a new active version of ``company``'s policy.

        The same text as the active version: nothing new.  Problems: logged and
        noted on the active version (or raised), which stays in force.
        Returns the active policy afterwards.
        """
        active = self._active_for(company)
        text, errors = read_policy_file(path)
        if text is not None and text == active.yaml_text:
            return active
        result, message = self._checked(
            text, company,
            lambda count: _(
                "The policy file %(path)s was not imported: it has %(count)s problem(s). %(name)s stays in force.",
                path=path, count=count, name=active.display_name,
            ),
            lambda count, lines: _(
                "The policy file %(path)s was not imported: it breaks %(count)s legal limit(s). %(name)s stays in "
                "force.\n\n%(lines)s",
                path=path, count=count, name=active.display_name, lines=lines,
            ),
            errors=errors,
        )
        if message:
            _logger.warning("%s", message)
            if raise_on_error:
                raise ValidationError(message)
            active.sudo()._log_once(message)
            return active
        policy = self.sudo().create({
            "name": _("Policy from %s", os.path.basename(path)),
            "company_id": company.id,
            "yaml_text": text,
            "source": "file",
            "source_path": path,
        })
        policy._activate(result.spec)
        _logger.info("Collections policy of %s: imported %s as version %s", company.name, path, policy.version)
        return self.browse(policy.id)

    def _log_once(self, body):
        """Note ``body`` on the chatter unless it is already the latest note (a daily run repeats itself)."""
        last = self.env["mail.message"].search(
            [("model", "=", self._name), ("res_id", "=", self.id)], order="id desc", limit=1
        )
        if last.body and body.splitlines()[0] in tools.html2plaintext(last.body):
            return
        self._message_log(body=tools.plaintext2html(body))
