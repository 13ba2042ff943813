from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import AccessError

from ..policy.figures import MonthSales, countback_dso


class DigestDigest(models.Model):
    """Collections figures in the periodic digest email managers already get (as ``account`` adds revenue)."""

    _inherit = "digest.digest"

    kpi_dunning_overdue = fields.Boolean("Overdue receivables")
    kpi_dunning_overdue_value = fields.Monetary(compute="_compute_kpi_dunning_overdue_value")
    kpi_dunning_dso = fields.Boolean("DSO (days)")
    kpi_dunning_dso_value = fields.Float(compute="_compute_kpi_dunning_dso_value")
    kpi_dunning_cases_opened = fields.Boolean("Collection cases opened")
    kpi_dunning_cases_opened_value = fields.Integer(compute="_compute_kpi_dunning_cases_opened_value")
    kpi_dunning_cases_closed = fields.Boolean("Collection cases closed")
    kpi_dunning_cases_closed_value = fields.Integer(compute="_compute_kpi_dunning_cases_closed_value")
    kpi_dunning_satisfaction = fields.Boolean("Satisfaction after collections")
    kpi_dunning_satisfaction_value = fields.Float(compute="_compute_kpi_dunning_satisfaction_value")

    def _dunning_check_access(self):
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Do not have access, skip this data for user's digest email"))

    def _dunning_ledger(self):
        """Receivables on the period's last day per company, from the figures' own query."""
        _start, end, companies = self._get_kpi_compute_parameters()
        end_day = (fields.Datetime.to_datetime(end) - timedelta(seconds=1)).date()
        return end_day, companies, self.env["dunning.figures"].sudo()._receivables_at(companies, [end_day])

    def _compute_kpi_dunning_overdue_value(self):
        self._dunning_check_access()
        end_day, _companies, ledger = self._dunning_ledger()
        for record in self:
            company = record.company_id or self.env.company
            figures = ledger.get(("company", end_day, company.id, False), {})
            record.kpi_dunning_overdue_value = figures.get("overdue", 0.0)

    def _compute_kpi_dunning_dso_value(self):
        """Countback DSO at the period's end over the twelve months before it."""
        self._dunning_check_access()
        end_day, companies, ledger = self._dunning_ledger()
        Figures = self.env["dunning.figures"].sudo()
        months = [end_day.replace(day=1) - relativedelta(months=n) for n in range(13)]
        sales = Figures._sales_by_month(companies, months[-1], end_day)
        for record in self:
            company = record.company_id or self.env.company
            receivable = ledger.get(("company", end_day, company.id, False), {}).get("receivable", 0.0)
            history = []
            for index, month in enumerate(months):
                days = (end_day - month).days + 1 if index == 0 else (months[index - 1] - month).days
                history.append(MonthSales(days, sales.get(("company", month, company.id, False), 0.0)))
            record.kpi_dunning_dso_value = countback_dso(receivable, history) or 0.0

    def _compute_kpi_dunning_cases_opened_value(self):
        self._dunning_check_access()
        self._calculate_company_based_kpi("dunning.case", "kpi_dunning_cases_opened_value", date_field="opened_on")

    def _compute_kpi_dunning_cases_closed_value(self):
        self._dunning_check_access()
        self._calculate_company_based_kpi(
            "dunning.case", "kpi_dunning_cases_closed_value", date_field="closed_on",
            additional_domain=[("state", "=", "closed")])

    def _compute_kpi_dunning_satisfaction_value(self):
        """The mean rating (1 to 5) of the cases rated in the period: a ratio of sums."""
        self._dunning_check_access()
        start, end, companies = self._get_kpi_compute_parameters()
        rows = self.env["rating.rating"].sudo()._read_group(
            [("res_model", "=", "dunning.case"), ("consumed", "=", True), ("rating", ">", 0),
             ("write_date", ">=", start), ("write_date", "<", end)],
            ["res_id"], ["rating:sum", "__count"])
        cases = self.env["dunning.case"].sudo().browse([res_id for res_id, _total, _count in rows])
        company_of = {case.id: case.company_id for case in cases.exists()}
        for record in self:
            company = record.company_id or self.env.company
            mine = [(total, count) for res_id, total, count in rows
                    if company_of.get(res_id) == company and company in companies]
            count = sum(count for _total, count in mine)
            record.kpi_dunning_satisfaction_value = sum(total for total, _count in mine) / count if count else 0.0

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        figures = "customer_aware_dunning.action_dunning_figures"
        cases = "customer_aware_dunning.action_dunning_case"
        analysis = "customer_aware_dunning.action_dunning_case_report"
        res.update(kpi_dunning_overdue=figures, kpi_dunning_dso=figures, kpi_dunning_cases_opened=cases,
                   kpi_dunning_cases_closed=cases, kpi_dunning_satisfaction=analysis)
        return res
