import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import file_open

from ..access import check_collections_manager
from ..client_actions import SOFT_RELOAD, notification
from ..policy import charges as rules
from ..policy import load_policy
from ..policy.examples import example_of
from ..policy.schema import DEFAULT_GROUPS
from ..policy_values import policy_summary

_logger = logging.getLogger(__name__)

POLICY_STATES = [("draft", "Draft"), ("active", "Active"), ("archived", "Archived")]
SOURCES = [("default", "Shipped with the module"), ("odoo", "Edited in Odoo"), ("file", "Imported from a file")]
DEFAULT_POLICY_FILE = "customer_aware_dunning/data/default_policy.yaml"

# A step's ``template: <key>`` names the mail template whose external id is
# ``<module>.mail_template_<key>`` on collection cases.
TEMPLATE_PREFIX = "mail_template_"

class DunningPolicy(models.Model):
    """The collections policy of a company: a YAML document, in versions.

    Call order: a Collections manager edits a draft (or a file is imported),
    validates it, activates it; activation archives the version in force and
    brings segments and delay reasons in step.  The rest of the addon asks
    :meth:`_active_spec` for the frozen :class:`~..policy.schema.PolicySpec`
    (parsed once per version, cached) and never reads the YAML.  Active and
    archived versions are kept as they were: to change one, make a new version.
    """

    _name = "dunning.policy"
    _description = "Collections Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, version desc"

    name = fields.Char(required=True, tracking=True, default=lambda self: _("Collections policy"))
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    version = fields.Integer(readonly=True, copy=False, aggregator=False, help="Numbered per company, from 1.")
    state = fields.Selection(POLICY_STATES, required=True, default="draft", readonly=True, copy=False, tracking=True)
    yaml_text = fields.Text(
        "Policy", required=True, default=lambda self: self._default_yaml_text(),
        help="The policy as YAML; docs/policy.md describes every key.",
    )
    source = fields.Selection(SOURCES, required=True, default="odoo", readonly=True, copy=False, tracking=True)
    source_path = fields.Char("Imported from", readonly=True, copy=False)
    error_text = fields.Text("Problems", compute="_compute_problems")
    error_count = fields.Integer("Number of problems", compute="_compute_problems")
    summary = fields.Char(compute="_compute_problems")
    activated_by_id = fields.Many2one("res.users", "Activated by", readonly=True, copy=False, tracking=True)
    activated_on = fields.Datetime(readonly=True, copy=False)
    archived_on = fields.Datetime(readonly=True, copy=False)

    _one_active_per_company = models.UniqueIndex(
        "(company_id) WHERE state = 'active'", "A company has exactly one active collections policy."
    )
    _version_per_company = models.UniqueIndex("(company_id, version)", "Policy versions are unique per company.")

    @api.depends("name", "version")
    def _compute_display_name(self):
        for policy in self:
            policy.display_name = f"{policy.name} v{policy.version}" if policy.version else policy.name

    @api.depends("yaml_text")
    def _compute_problems(self):
        for policy in self:
            spec, errors = policy._get_loaded()
            policy.error_text = "\n".join(map(str, errors))
            policy.error_count = len(errors)
            policy.summary = policy_summary(self.env, spec) if spec else _("%s problem(s)", len(errors))

    # ------------------------------------------------------------------ loading

    def _default_yaml_text(self):
        active = self.sudo().search([("company_id", "=", self.env.company.id), ("state", "=", "active")], limit=1)
        return active.yaml_text or self._shipped_default_text()

    @api.model
    def _shipped_default_text(self):
        with file_open(DEFAULT_POLICY_FILE, "rb") as handle:
            return handle.read().decode("utf-8")

    @api.model
    def _known_templates(self):
        """``{key: mail.template}`` of the templates on collection cases a policy may name."""
        data = self.env["ir.model.data"].sudo().search_read(
            [("model", "=", "mail.template"), ("name", "=like", f"{TEMPLATE_PREFIX}%")], ["name", "res_id"]
        )
        templates = self.env["mail.template"].sudo().search(
            [("id", "in", [row["res_id"] for row in data]), ("model", "=", "dunning.case")]
        )
        by_id = {template.id: template for template in templates}
        return {
            row["name"].removeprefix(TEMPLATE_PREFIX): by_id[row["res_id"]] for row in data if row["res_id"] in by_id
        }

    @api.model
    def _known_groups(self):
        """The shipped group names and the XML id of every group of the database."""
        data = self.env["ir.model.data"].sudo().search_read([("model", "=", "res.groups")], ["module", "name"])
        return DEFAULT_GROUPS | {f"{row['module']}.{row['name']}" for row in data}

    @api.model
    def _load(self, text, check_payment_terms=True):
        """Validate ``text`` against this database's templates, groups and payment terms: a :class:`LoadResult`.

        Payment terms are data users delete: they are checked when a version is
        validated or activated, not again once it is active (a rule naming a
        term that is gone then suggests nothing, and collections go on).
        """
        terms = self.env["account.payment.term"]._dunning_known_xmlids() if check_payment_terms else None
        return load_policy(
            text or "", known_templates=set(self._known_templates()), known_groups=self._known_groups(),
            known_payment_terms=terms,
        )

    @api.model
    def _promotional_templates(self):
        """The template keys whose template says it contains sales promotion."""
        return frozenset(key for key, template in self._known_templates().items() if template.dunning_promotion)

    def _legal_problems(self, spec, company=None):
        """One whole sentence per rule of the company's legal profile that ``spec`` breaks (empty: lawful)."""
        profile = self.env["dunning.legal.profile"]._for_company(company or self.company_id)
        if not profile:
            return []
        violations = rules.check_limits(spec, profile._limits(), self._promotional_templates())
        return [profile._violation_message(violation, spec) for violation in violations]

    def _get_loaded(self):
        """``(spec or None, problems)`` of this version, parsed once per saved version."""
        self.ensure_one()
        if not self.id or not self.write_date:
            result = self._load(self.yaml_text)
            return result.spec, tuple(result.errors)
        return self._load_cached(self.id, self.write_date, self.state != "active")

    @tools.ormcache("policy_id", "write_date", "check_payment_terms")
    def _load_cached(self, policy_id, write_date, check_payment_terms=True):
        # Like queue_job's job_config(): the parsed, frozen spec, cached by version; write() clears it.
        result = self._load(self.browse(policy_id).yaml_text, check_payment_terms)
        return result.spec, tuple(result.errors)

    def _get_spec(self):
        """The frozen spec of this version (``None`` when the document has problems)."""
        return self._get_loaded()[0] if self else None

    @api.model
    def _active_policy(self, company):
        """The active policy of ``company`` as it is (none installed: an empty recordset)."""
        return self.sudo().search([("company_id", "=", company.id), ("state", "=", "active")], limit=1)

    @api.model
    def _active_for(self, company):
        """The active policy of ``company``; the shipped default is installed when it has none."""
        policy = self._active_policy(company) or self.sudo()._ensure_default(company)
        return self.browse(policy.id)

    @api.model
    def _active_spec(self, company):
        return self._active_for(company).sudo()._get_spec()

    @api.model
    def _ensure_default(self, companies=None):
        """Give each company without an active policy the shipped default, active; return the last one."""
        policy = self.browse()
        for company in companies if companies is not None else self.env["res.company"].search([]):
            if self.search_count([("company_id", "=", company.id), ("state", "=", "active")]):
                continue
            text = self._shipped_default_text()
            # The shipped default names Odoo's own terms; one deleted here must not leave the company without a policy.
            result = self._load(text, check_payment_terms=False)
            policy = self.create({
                "name": _("Default policy"), "company_id": company.id, "yaml_text": text, "source": "default",
            })
            if result.errors:
                problems = "\n".join(map(str, result.errors))
                _logger.error("The shipped collections policy is not valid here:\n%s", problems)
                continue
            unlawful = policy._legal_problems(result.spec)
            if unlawful:
                _logger.error("The shipped collections policy breaks the legal limits here:\n%s", "\n".join(unlawful))
                continue
            policy._activate(result.spec)
        return policy

    # ------------------------------------------------------------------ changes

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_storable_text(vals.get("yaml_text"))
        companies = {vals.setdefault("company_id", self.env.company.id) for vals in vals_list}
        last = dict(self.sudo()._read_group([("company_id", "in", list(companies))], ["company_id"], ["version:max"]))
        last = {company.id: version for company, version in last.items()}
        for vals in vals_list:
            last[vals["company_id"]] = last.get(vals["company_id"], 0) + 1
            vals["version"] = last[vals["company_id"]]
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals and not self.env.context.get("dunning_policy_transition"):
            raise UserError(_("Use the Activate button: a policy becomes active only once it is valid."))
        self._check_storable_text(vals.get("yaml_text"))
        if "yaml_text" in vals and any(policy.state != "draft" for policy in self):
            raise UserError(_(
                "Active and archived versions are kept as they were. Click “New version” to edit a copy."
            ))
        result = super().write(vals)
        self.env.registry.clear_cache()  # the parsed specs (see _load_cached)
        return result

    @api.model
    def _check_storable_text(self, text):
        """PostgreSQL cannot store a NUL character: say where it is rather than fail in the database."""
        if isinstance(text, str) and "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise ValidationError(_(
                "The policy contains a NUL character on line %(line)s. A policy is plain text: remove it.", line=line,
            ))

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(policy.state != "draft" for policy in self):
            raise UserError(_("Active and archived policy versions are kept; only drafts can be deleted."))

    def _check_manager(self):
        check_collections_manager(
            self.env, _("Only Collections managers can change, import or activate collections policies.")
        )

    def _problems_message(self, errors, heading):
        """One message: the heading, every problem with its line and key path, and a short valid example."""
        section = next((str(error.path).split(".")[0].split("[")[0] for error in errors), "")
        example = example_of(section)
        lines = "\n".join(f"• {error}" for error in errors)
        return _(
            "%(heading)s\n\n%(lines)s\n\nFor example, a valid %(section)s section looks like this:\n%(example)s",
            heading=heading, lines=lines, section=section or _("policy"), example=example,
        )

    def _checked(self, text, company, on_problems, on_unlawful, errors=()):
        """Load ``text``, list its problems, check the legal limits of ``company``: ``(result, message)``.

        The one way a document is judged before it may be used (validate, activate,
        import).  ``message`` is ``None`` when the text is valid and lawful; else
        the problems under the heading ``on_problems(count)`` with a short valid
        example, or ``on_unlawful(count, lines)`` for the legal limits it breaks.
        ``errors`` (e.g. the file could not be read) stand for the text's problems.
        """
        result = None if errors else self._load(text)
        errors = errors or result.errors
        if errors:
            return result, self._problems_message(errors, on_problems(len(errors)))
        unlawful = self._legal_problems(result.spec, company)
        if unlawful:
            return result, on_unlawful(len(unlawful), "\n".join(f"• {line}" for line in unlawful))
        return result, None

    def _activate(self, spec):
        """Make this version the company's active one (the spec is already validated) and sync the records."""
        self.ensure_one()
        now = fields.Datetime.now()
        transition = self.sudo().with_context(dunning_policy_transition=True)
        previous = transition.search([("company_id", "=", self.company_id.id), ("state", "=", "active")])
        if previous:
            previous.write({"state": "archived", "archived_on": now})
            previous.flush_recordset()
        transition.browse(self.id).write({"state": "active", "activated_by_id": self.env.uid, "activated_on": now})
        changes = self.env["dunning.segment"].sudo()._sync_from_policy(spec, self.company_id)
        changes += self.env["dunning.delay.reason"].sudo()._sync_from_policy(spec, self.company_id)
        body = _("Version %(version)s is active (%(summary)s).", version=self.version,
                 summary=policy_summary(self.env, spec))
        if previous:
            body += " " + _("It replaces version %s.", previous.version)
            previous._message_log(body=_("Archived: version %s is now active.", self.version))
        if changes:
            body += " " + _("Segments and delay reasons: %s.", "; ".join(changes))
        self._message_log(body=body)
        return previous

    # ------------------------------------------------------------------ buttons

    def action_validate(self):
        self.ensure_one()
        result, message = self._checked(
            self.yaml_text, self.company_id,
            lambda count: _("%(name)s has %(count)s problem(s):", name=self.display_name, count=count),
            lambda count, lines: _(
                "%(name)s breaks %(count)s legal limit(s):\n\n%(lines)s", name=self.display_name,
                count=count, lines=lines,
            ),
        )
        if message:
            raise ValidationError(message)
        summary = policy_summary(self.env, result.spec)
        return notification(_("%(name)s is valid: %(summary)s.", name=self.display_name, summary=summary))

    def action_activate(self):
        self._check_manager()
        self.ensure_one()
        if self.state == "active":
            raise UserError(_("%s is already the active version.", self.display_name))

        def kept():
            active = self.search([("company_id", "=", self.company_id.id), ("state", "=", "active")], limit=1)
            return _("%s stays in force.", active.display_name) if active else ""

        result, message = self._checked(
            self.yaml_text, self.company_id,
            lambda count: _(
                "%(name)s cannot be activated: it has %(count)s problem(s). %(kept)s",
                name=self.display_name, count=count, kept=kept(),
            ),
            lambda count, lines: _(
                "%(name)s cannot be activated: it breaks %(count)s legal limit(s). %(kept)s\n\n%(lines)s",
                name=self.display_name, count=count, kept=kept(), lines=lines,
            ),
        )
        if message:
            raise ValidationError(message)
        self._activate(result.spec)
        return notification(_("%s is now the active policy.", self.display_name), then=SOFT_RELOAD)

    def action_new_version(self):
        self._check_manager()
        self.ensure_one()
        copy = self.copy({"name": self.name})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": copy.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_dry_run(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dry run of %s", self.display_name),
            "res_model": "dunning.policy.dry.run",
            "view_mode": "form",
            "target": "new",
            # ten columns: the dialog takes the width of the screen
            "context": {"default_policy_id": self.id, "dialog_size": "extra-large"},
        }

    def action_compare(self):
        """Compare with the active version, or, for the active one, with the version before it."""
        self.ensure_one()
        others = self.search([("company_id", "=", self.company_id.id), ("id", "!=", self.id)])
        active = others.filtered(lambda policy: policy.state == "active")
        earlier = others.filtered(lambda policy: policy.version < self.version).sorted("version", reverse=True)
        base = active or earlier[:1]
        return {
            "type": "ir.actions.act_window",
            "name": _("Compare versions"),
            "res_model": "dunning.policy.compare",
            "view_mode": "form",
            "target": "new",
            "context": {"default_old_policy_id": base[:1].id, "default_new_policy_id": self.id},
        }
