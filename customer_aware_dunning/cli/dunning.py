"""``odoo dunning``: check a policy file, dry-run a policy against a database, run the daily run headless.

Odoo finds this command in the addons path (``<addon>/cli/dunning.py``), so
name the path first, or have a configuration file in ``ODOO_RC``::

    odoo --addons-path=/opt/addons dunning validate policy.yaml
    odoo --addons-path=/opt/addons dunning dry-run -c /etc/odoo/odoo.conf -d prod --date 2026-07-01
    ODOO_RC=/etc/odoo/odoo.conf odoo dunning run -d prod

``validate`` needs no database (exit 0 valid, 1 problems, 2 unreadable);
``dry-run`` decides for every customer and rolls everything back; ``run`` is
the scheduled daily run.  Options the command does not know (``-c``, ``-d``,
``--db_host``...) are Odoo's own.
"""

import sys
from datetime import date

from odoo import api
from odoo.addons.customer_aware_dunning.policy import cli as policy_cli
from odoo.addons.customer_aware_dunning.policy.yaml_source import MAX_BYTES
from odoo.cli import Command
from odoo.modules.registry import Registry
from odoo.tools import config

OK, PROBLEMS, USAGE = 0, 1, 2


class Dunning(Command):
    """Collections policies: validate a policy file, dry-run a policy, run the daily collections run"""

    def run(self, cmdargs):
        parser = self._parser_with_actions()
        args, odoo_args = parser.parse_known_args(cmdargs)
        if args.action == "validate":
            if odoo_args:
                parser.error(f"unrecognized arguments: {' '.join(odoo_args)}")
            extra = [item for key in args.template for item in ("--template", key)]
            extra += [item for group in args.group for item in ("--group", group)]
            sys.exit(policy_cli.main(["validate", args.file, *extra]))
        config.parse_config(odoo_args, setup_logging=True)
        databases = config["db_name"]
        if len(databases) != 1:
            parser.error("name one database with -d DATABASE (or db_name in the configuration file)")
        with Registry(databases[0]).cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            companies = self._companies(env, args.company, parser)
            if args.action == "dry-run":
                code = self._dry_run(env, companies, args)
                cr.rollback()
            else:
                code = self._daily_run(env, companies, args)
        sys.exit(code)

    def _parser_with_actions(self):
        parser = self.parser
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        policy_cli.add_validate_arguments(
            actions.add_parser("validate", help="check a policy file; no database (exit 0 valid, 1 invalid)")
        )
        dry = actions.add_parser("dry-run", help="which customer would get which step, and why; nothing is kept")
        dry.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD", help="the day (default: today)")
        dry.add_argument("--company", type=int, metavar="ID", help="only this company (default: all)")
        dry.add_argument("--policy-file", metavar="FILE", help="this policy instead of the active one")
        dry.add_argument("--days", type=int, default=0, metavar="N", help="also list the steps of the next N days")
        run = actions.add_parser("run", help="the daily collections run, headless (commits)")
        run.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD", help="the day (default: today)")
        run.add_argument("--company", type=int, metavar="ID", help="only this company (default: all)")
        return parser

    def _companies(self, env, company_id, parser):
        if company_id is None:
            return env["res.company"].search([])
        company = env["res.company"].browse(company_id).exists()
        if not company:
            parser.error(f"no company with id {company_id}")
        return company

    def _dry_run(self, env, companies, args):
        Policy = env["dunning.policy"]
        for company in companies:
            today = args.date or _today(env, company)
            if args.policy_file:
                spec, name = self._file_spec(Policy, args.policy_file)
                if spec is None:
                    return PROBLEMS
            else:
                policy = Policy._active_for(company)
                spec, name = policy._get_spec(), policy.display_name
            simulations = env["dunning.run"].with_company(company)._simulate(company, spec, today, days=args.days)
            _print_simulations(env, company, name, today, simulations, args.days)
        return OK

    def _file_spec(self, Policy, path):
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            print(f"{path}: cannot read the file: {exc.strerror or exc}")
            return None, path
        result = Policy._load(data)
        for error in result.errors:
            print(f"{path}:{error.line or 1}: {error}")
        return result.spec, path

    def _daily_run(self, env, companies, args):
        Run = env["dunning.run"]
        for company in companies:
            today = args.date or _today(env, company)
            result = Run.with_company(company)._run_company(company, today, commit=True)
            env.cr.commit()
            if result is None:
                print(f"{company.name} on {today}: skipped, another collections run is working on this company")
                continue
            opened, closed = result
            print(f"{company.name} on {today}: {len(opened)} case(s) opened, {len(closed)} closed")
        return OK


def _today(env, company):
    return company._dunning_today()


def _print_simulations(env, company, name, today, simulations, days):
    names = {move.id: move.name for move in env["account.move"].browse(
        {invoice.id for simulation in simulations for invoice in simulation.case.invoices}
    )}
    print(f"Dry run of {name} for {company.name} on {today} (nothing is sent or recorded)")
    for simulation in simulations:
        decision = simulation.decision
        invoices = ", ".join(names.get(invoice_id, str(invoice_id)) for invoice_id in decision.invoice_ids)
        covered = f" [{invoices}]" if invoices else ""
        print(f"  {simulation.partner.display_name}: {decision.kind}: {decision.reason}{covered}")
    if days:
        print(f"Steps of the next {days} days:")
        entries = sorted(
            (entry.day, simulation.partner.display_name, entry.decision)
            for simulation in simulations for entry in simulation.upcoming
        )
        for day, partner, decision in entries:
            approval = f", needs approval from {decision.step.approve}" if decision.step.approve else ""
            print(f"  {day}  {partner}: {decision.step.label(decision.step_index)}{approval}")
    kinds = {}
    for simulation in simulations:
        kinds[simulation.decision.kind] = kinds.get(simulation.decision.kind, 0) + 1
    print(f"{len(simulations)} customer(s): " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
