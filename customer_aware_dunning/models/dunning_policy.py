import logging
import os

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import config, file_open

from ..policy import charges as rules
from ..policy import load_policy
from ..policy.errors import PolicyError
from ..policy.schema import DEFAULT_GROUPS, DEFAULT_TEMPLATES
from ..policy.yaml_source import MAX_BYTES
from .collections_access import check_collections_manager

_logger = logging.getLogger(__name__)

POLICY_STATES = [("draft", "Draft"), ("active", "Active"), ("archived", "Archived")]
SOURCES = [("default", "Shipped with the module"), ("odoo", "Edited in Odoo"), ("file", "Imported from a file")]
DEFAULT_POLICY_FILE = "customer_aware_dunning/data/default_policy.yaml"

# Where a policy file may be named: the server's configuration file first, then a system parameter.
FILE_OPTION = "dunning_policy_file"
FILE_PARAMETER = "customer_aware_dunning.policy_file"

# A step's ``template: <key>`` names the mail template whose external id is
# ``<module>.mail_template_<key>`` on collection cases; the shipped ones are these.
TEMPLATE_PREFIX = "mail_template_"
SHIPPED_TEMPLATES = {key: f"customer_aware_dunning.{TEMPLATE_PREFIX}{key}" for key in sorted(DEFAULT_TEMPLATES)}

# A short valid example per section, shown under the problems of a document
# (the section of the first problem chooses it).
EXAMPLES = {
    "segments": """segments:
  - key: loyal
    label: Loyal
    when: [[customer_since_days, ">=", 730], [on_time_ratio, ">=", 0.8]]
  - key: standard          # no "when": every other customer, always last""",
    "delay_reasons": """delay_reasons:
  dispute: {pause: true, owner: salesperson}
  cash_flow: {offer: payment_plan}""",
    "journeys": """journeys:
  standard:
    segments: [loyal, standard]
    steps:
      - {day: -3, send: email, template: friendly_heads_up}
      - {day: 7, send: email, template: gentle_reminder}
      - {day: 14, send: activity, to: salesperson, note: Call the customer}""",
    "fallback": """fallback:
  no_email: [letter, activity]
  no_mobile: [email]""",
    "satisfaction": """satisfaction:
  ask_days_after_close: 2
  repurchase_window_days: 90""",
    "payment_terms": """payment_terms:
  - when: [[segment, "=", loyal]]
    suggest: account.account_payment_term_45days
    reason: Pays on time.
    intent: reward""",
    "": """version: 1
segments:
  - key: standard
journeys:
  standard:
    segments: [standard]
    steps:
      - {day: 7, send: email, template: gentle_reminder}""",
}


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
            policy.summary = _summary(self.env, spec) if spec else _("%s problem(s)", len(errors))

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
        return [self._violation_message(violation, profile, spec) for violation in violations]

    def _violation_message(self, violation, profile, spec):
        money = profile.currency_id.format
        step = violation.step_index + 1 if violation.step_index is not None else None
        journey = spec.journey(violation.journey) if violation.journey else None
        template = journey.steps[violation.step_index].template if journey else ""
        common = {"step": step, "journey": violation.journey, "profile": profile.name}
        messages = {
            rules.CONSUMER_FEE_MAX: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a reminder fee of %(fee)s, but %(profile)s "
                "allows at most %(limit)s per written payment reminder.",
                fee=money(violation.value), limit=money(violation.limit), **common),
            rules.BUSINESS_FEE_MAX: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges businesses a reminder fee of %(fee)s, but %(profile)s "
                "allows at most %(limit)s per reminder.",
                fee=money(violation.value), limit=money(violation.limit), **common),
            rules.CONSUMER_FIRST_FEE: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a reminder fee %(day)s days after the due "
                "date, but %(profile)s allows the first charged reminder no earlier than %(limit)s days after the "
                "due date.", day=int(violation.value), limit=int(violation.limit), **common),
            rules.CONSUMER_FEE_INTERVAL: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a reminder fee %(days)s days after the "
                "previous charged reminder, but %(profile)s requires at least %(limit)s days between charged "
                "reminders.", days=int(violation.value), limit=int(violation.limit), **common),
            rules.BUSINESS_FEE_INTERVAL: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges businesses %(days)s days after the previous charged "
                "demand, but %(profile)s requires at least %(limit)s days between charged demands.",
                days=int(violation.value), limit=int(violation.limit), **common),
            rules.CONSUMER_COMPENSATION: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges consumers a recovery compensation, but %(profile)s "
                "allows none from consumers; make the step for businesses only (customers: business).", **common),
            rules.BUSINESS_COMPENSATION_MAX: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges a recovery compensation of %(amount)s, but %(profile)s "
                "allows at most %(limit)s per overdue invoice.",
                amount=money(violation.value), limit=money(violation.limit), **common),
            rules.COMPENSATION_TWICE: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges the recovery compensation again after the step on day "
                "%(day)s, but %(profile)s allows it only once per overdue invoice.",
                day=int(violation.limit), **common),
            rules.CHARGE_BEFORE_DUE: lambda: self.env._(
                "Step %(step)s of journey %(journey)s charges the customer on day %(day)s, before the invoices are "
                "overdue, but %(profile)s allows charges only on overdue invoices.",
                day=int(violation.value), **common),
            rules.CONSUMER_PROMOTION: lambda: self.env._(
                "Step %(step)s of journey %(journey)s sends the template %(template)s, which contains sales "
                "promotion, to consumers, but %(profile)s forbids sales promotion in collection messages to "
                "consumers; make the step for businesses only (customers: business).",
                template=template, **common),
            rules.CONSUMER_MARGIN: lambda: self.env._(
                "The policy's interest margin for consumers is %(margin)s points, but %(profile)s allows at most "
                "%(limit)s points over the reference rate.",
                margin=violation.value, limit=violation.limit, profile=profile.name),
            rules.BUSINESS_MARGIN: lambda: self.env._(
                "The policy's interest margin for businesses is %(margin)s points, but %(profile)s allows at most "
                "%(limit)s points over the reference rate.",
                margin=violation.value, limit=violation.limit, profile=profile.name),
        }
        return messages[violation.rule]()

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
    def _active_for(self, company):
        """The active policy of ``company``; the shipped default is installed when it has none."""
        policy = self.sudo().search([("company_id", "=", company.id), ("state", "=", "active")], limit=1)
        policy = policy or self.sudo()._ensure_default(company)
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
        example = EXAMPLES.get(section, EXAMPLES[""])
        lines = "\n".join(f"• {error}" for error in errors)
        return _(
            "%(heading)s\n\n%(lines)s\n\nFor example, a valid %(section)s section looks like this:\n%(example)s",
            heading=heading, lines=lines, section=section or _("policy"), example=example,
        )

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
        body = _("Version %(version)s is active (%(summary)s).", version=self.version, summary=_summary(self.env, spec))
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
        result = self._load(self.yaml_text)
        if result.errors:
            raise ValidationError(self._problems_message(result.errors, _(
                "%(name)s has %(count)s problem(s):", name=self.display_name, count=len(result.errors)
            )))
        unlawful = self._legal_problems(result.spec)
        if unlawful:
            raise ValidationError(_(
                "%(name)s breaks %(count)s legal limit(s):\n\n%(lines)s", name=self.display_name,
                count=len(unlawful), lines="\n".join(f"• {line}" for line in unlawful),
            ))
        summary = _summary(self.env, result.spec)
        return _notification(_("%(name)s is valid: %(summary)s.", name=self.display_name, summary=summary))

    def action_activate(self):
        self._check_manager()
        self.ensure_one()
        if self.state == "active":
            raise UserError(_("%s is already the active version.", self.display_name))
        result = self._load(self.yaml_text)
        if result.errors:
            active = self.search([("company_id", "=", self.company_id.id), ("state", "=", "active")], limit=1)
            kept = _("%s stays in force.", active.display_name) if active else ""
            raise ValidationError(self._problems_message(result.errors, _(
                "%(name)s cannot be activated: it has %(count)s problem(s). %(kept)s",
                name=self.display_name, count=len(result.errors), kept=kept,
            )))
        unlawful = self._legal_problems(result.spec)
        if unlawful:
            active = self.search([("company_id", "=", self.company_id.id), ("state", "=", "active")], limit=1)
            kept = _("%s stays in force.", active.display_name) if active else ""
            raise ValidationError(_(
                "%(name)s cannot be activated: it breaks %(count)s legal limit(s). %(kept)s\n\n%(lines)s",
                name=self.display_name, count=len(unlawful), kept=kept,
                lines="\n".join(f"• {line}" for line in unlawful),
            ))
        self._activate(result.spec)
        return _notification(_("%s is now the active policy.", self.display_name), reload=True)

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
            return _notification(_("%(path)s is the same as %(name)s: nothing to import.", path=path,
                                   name=before.display_name))
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": policy.id,
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

    # ------------------------------------------------------------------ files

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
        text, errors = _read_policy_file(path)
        if text is not None and text == active.yaml_text:
            return active
        result = self._load(text) if text is not None else None
        errors = errors or (result.errors if result else [])
        if errors:
            message = self._problems_message(errors, _(
                "The policy file %(path)s was not imported: it has %(count)s problem(s). %(name)s stays in force.",
                path=path, count=len(errors), name=active.display_name,
            ))
            _logger.warning("%s", message)
            if raise_on_error:
                raise ValidationError(message)
            active.sudo()._log_once(message)
            return active
        unlawful = self._legal_problems(result.spec, company)
        if unlawful:
            message = _(
                "The policy file %(path)s was not imported: it breaks %(count)s legal limit(s). %(name)s stays in "
                "force.\n\n%(lines)s",
                path=path, count=len(unlawful), name=active.display_name,
                lines="\n".join(f"• {line}" for line in unlawful),
            )
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


def _read_policy_file(path):
    """``(text, [])`` or ``(None, [problem])``; never raises."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [PolicyError("", None, f"cannot read the file: {exc.strerror or exc}")]
    if len(data) > MAX_BYTES:
        return None, [PolicyError("", None, f"the file is larger than {MAX_BYTES // 1024} KiB")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [PolicyError("", line, f"the file is not UTF-8 text (byte {exc.start})")]


def _summary(env, spec):
    return env._(
        "%(segments)s segments, %(reasons)s delay reasons, %(journeys)s journeys",
        segments=len(spec.segments), reasons=len(spec.delay_reasons), journeys=len(spec.journeys),
    )


def _notification(message, reload=False):
    """A passing notification (then a reload of the view, when asked)."""
    action = {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"message": message, "type": "success", "sticky": False},
    }
    if reload:
        action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
    return action
