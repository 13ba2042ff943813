from odoo import api, models
from odoo.tools import SQL

from ..translate import policy_text


class DunningPolicySynced(models.AbstractModel):
    """Records that mirror a list of the active policy (segments, delay reasons).

    On activation, :meth:`_sync_from_policy` keeps them in step with the spec:
    a key the policy declares is created, renamed, re-sequenced or restored; a
    key it no longer declares is archived.  Nothing is deleted: cases and
    invoices of the past keep pointing at the record they had.

    Records without a company are shared by every company.  A company's policy
    changes a shared record in place only when no other company has an active
    policy; otherwise the company gets its own record with that key (its own
    wins over the shared one, see :meth:`_for_company`) and that company's
    references move to it, so one company's policy never relabels another's.

    A model using this mixin says which spec items it mirrors
    (:meth:`_policy_values`) and which columns refer to it (``_policy_references``).
    """

    _name = "dunning.policy.synced"
    _description = "Mirrored from the Collections Policy"

    # (table, column) pairs pointing at this model that follow a company's own copy.
    # A column of a company-dependent field is stored as JSON per company.
    _policy_references = ()
    _policy_company_dependent_references = ()

    @api.model
    def _policy_values(self, spec):
        """``{key: values}`` in the spec's order, values as written on the records."""
        raise NotImplementedError

    def _for_company(self, company):
        """Records usable in ``company``, archived included, by key (a company's own wins over a shared one)."""
        records = self.with_context(active_test=False).search(
            [("company_id", "in", [False, company.id])], order="company_id NULLS FIRST, id"
        )
        return {record.key: record for record in records}

    @api.model
    def _sync_from_policy(self, spec, company):
        """Bring the records of ``company`` in step with ``spec``; return the changes, as text lines.

        The records are written in English, the source of their translations; the
        lines are worded in the language of ``self``.
        """
        model = self.with_context(active_test=False, lang="en_US")
        current = model._for_company(company)
        shared_in_place = not model._other_companies_have_policies(company)
        changes = []
        for key, values in model._policy_values(spec).items():
            record = current.get(key)
            values = {**values, "active": True}
            if not record:
                model._translate_labels(model.create({**values, "key": key, "company_id": company.id}), values)
                changes.append(self.env._("%(key)s: created", key=key))
                continue
            diff = {name: value for name, value in values.items() if record[name] != value}
            if not diff:
                continue
            if record.company_id or shared_in_place:
                record.write(diff)
                model._translate_labels(record, diff)
            else:
                model._translate_labels(model._take_over(record, company, diff), diff)
            changes.append(self._describe(key, record, diff))
        for key in current.keys() - model._policy_values(spec).keys():
            record = current[key]
            if not record.active:
                continue
            if record.company_id or shared_in_place:
                record.active = False
            else:
                model._take_over(record, company, {"active": False})
            changes.append(self.env._("%(key)s: archived", key=key))
        return changes

    def _translate_labels(self, records, values):
        """Word the texts of ``values``, just written in English, in every other installed language.

        A text of the shipped default policy gets its translation (``translate.py``),
        any other text stays as written: a renamed record never keeps the translation of its old name.
        """
        names = [name for name, value in values.items() if value and self._fields[name].translate]
        if not names:
            return
        for code, _language in self.env["res.lang"].get_installed():
            if code != "en_US":
                translated = records.with_context(lang=code)
                translated.write({name: policy_text(translated.env, values[name]) for name in names})

    def _describe(self, key, record, diff):
        if "name" in diff:
            return self.env._("%(key)s: renamed to “%(name)s”", key=key, name=diff["name"])
        if diff.get("active") is True and not record.active:
            return self.env._("%(key)s: restored", key=key)
        return self.env._("%(key)s: updated (%(fields)s)", key=key, fields=", ".join(sorted(diff)))

    @api.model
    def _other_companies_have_policies(self, company):
        return bool(self.env["dunning.policy"].sudo().search_count(
            [("state", "=", "active"), ("company_id", "!=", company.id)], limit=1
        ))

    def _take_over(self, shared, company, diff):
        """Give ``company`` its own copy of the shared record, changed by ``diff``, and move its references."""
        own = shared.copy({**diff, "key": shared.key, "company_id": company.id})
        self._move_references(company, shared, own)
        return own

    def _move_references(self, company, old, new):
        cr = self.env.cr
        self.env.flush_all()
        for table, column in self._policy_references:
            cr.execute(SQL(
                "UPDATE %s SET %s = %s WHERE company_id = %s AND %s = %s",
                SQL.identifier(table), SQL.identifier(column), new.id, company.id, SQL.identifier(column), old.id,
            ))
        for table, column in self._policy_company_dependent_references:
            cr.execute(SQL(
                "UPDATE %s SET %s = %s || jsonb_build_object(%s, %s) WHERE (%s ->> %s)::int = %s",
                SQL.identifier(table), SQL.identifier(column), SQL.identifier(column), str(company.id), new.id,
                SQL.identifier(column), str(company.id), old.id,
            ))
        self.env.invalidate_all()
