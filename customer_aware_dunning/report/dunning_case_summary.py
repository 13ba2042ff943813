from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

TOP_DELAY_REASONS = 5

# The headline table: (aggregate of dunning.case.report, key in a line).
HEADLINE = [
    ("__count", "cases"),
    ("amount_overdue_total:sum", "overdue"),
    ("amount_recovered:sum", "recovered"),
    ("recovery_rate:avg", "recovery_rate"),
    ("days_to_collect:avg", "days_to_collect"),
    ("no_harsh_rate:avg", "no_harsh_rate"),
    ("satisfaction:avg", "satisfaction"),
    ("rated_count:sum", "rated"),
    ("repurchase_rate:avg", "repurchase_rate"),
    ("repurchase_amount:sum", "repurchase_amount"),
    ("lost_count:sum", "lost"),
]


def _number(value):
    return "-" if value is None else f"{value:.1f}"


def _percent(value):
    return "-" if value is None else f"{value:.1f} %"


def _previous_month_start(today):
    return today.replace(day=1) - relativedelta(months=1)


class DunningCaseSummary(models.TransientModel):
    """The monthly summary a finance lead sends to sales management: pick the month, print the PDF.

    It covers the cases closed in the period, read from ``dunning.case.report``
    with the reader's own access (a salesperson's summary covers their customers).
    """

    _name = "dunning.case.summary"
    _description = "Collections monthly summary"

    date_from = fields.Date(
        "From", required=True, default=lambda self: _previous_month_start(fields.Date.context_today(self)))
    date_to = fields.Date(
        "To", required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(days=1))

    def action_print(self):
        return self.env.ref("customer_aware_dunning.action_report_case_summary").report_action(self)

    def _domain(self):
        self.ensure_one()
        return [("state", "=", "closed"), ("closed_on", ">=", self.date_from), ("closed_on", "<=", self.date_to)]

    def _headline_lines(self):
        """One line per segment, then the total line: every ratio is the group's ratio of sums."""
        Report = self.env["dunning.case.report"]
        aggregates = [spec for spec, _key in HEADLINE]
        lines = [
            {"label": segment.display_name if segment else self.env._("No segment"),
             **dict(zip([key for _spec, key in HEADLINE], values, strict=True))}
            for segment, *values in Report._read_group(self._domain(), ["segment_id"], aggregates)
        ]
        [total] = Report._read_group(self._domain(), [], aggregates)
        lines.append({"label": self.env._("Total"), "total": True,
                      **dict(zip([key for _spec, key in HEADLINE], total, strict=True))})
        return lines

    def _top_delay_reasons(self):
        rows = self.env["dunning.case.report"]._read_group(
            [*self._domain(), ("delay_reason_id", "!=", False)], ["delay_reason_id"],
            ["__count", "amount_overdue_total:sum", "recovery_rate:avg"],
            order="__count desc, amount_overdue_total:sum desc", limit=TOP_DELAY_REASONS,
        )
        return [{"label": reason.display_name, "cases": count, "overdue": overdue, "recovery_rate": rate}
                for reason, count, overdue, rate in rows]

    def _deal_hold_lines(self):
        """The steps held for open deals in the period, per salesperson, and how each ended (the total last).

        A salesperson's summary covers their customers, as the analysis does."""
        self.ensure_one()
        domain = [("held_on", ">=", self.date_from), ("held_on", "<=", self.date_to)]
        if not self.env.user.has_group("customer_aware_dunning.group_collections_report_all"):
            domain.append(("case_id.user_id", "=", self.env.user.id))
        rows = self.env["dunning.deal.hold"]._read_group(domain, ["case_id.user_id", "outcome"], ["__count"])
        lines, total = {}, {"label": self.env._("Total"), "total": True}
        for user, outcome, count in rows:
            line = lines.setdefault(user, {"label": user.name or self.env._("No salesperson")})
            for counted in (line, total):
                counted[outcome] = counted.get(outcome, 0) + count
                counted["held"] = counted.get("held", 0) + count
        return [*sorted(lines.values(), key=lambda line: line["label"]), total] if lines else []

    def _figure_lines(self):
        """Receivables figures of the month ``date_to`` falls in beside the month before, per segment
        (the company's line first). Only for readers of every customer (finance): they are company-wide."""
        self.ensure_one()
        if not self.env.user.has_group("customer_aware_dunning.group_collections_report_all"):
            return []
        month = self.date_to.replace(day=1)
        previous = month - relativedelta(months=1)
        Figures = self.env["dunning.figures"].sudo()
        rows = Figures._compute_rows(self.env.company, [previous, month], fields.Date.context_today(self))
        by_key = {(row["scope"], row["segment_id"], row["month"]): row for row in rows if row["scope"] != "salesperson"}
        segments = self.env["dunning.segment"].browse(
            sorted({segment for _scope, segment, _month in by_key if segment}))
        lines = []
        for scope, segment in [("company", False), *(("segment", s.id) for s in segments)]:
            now, before = by_key.get((scope, segment, month), {}), by_key.get((scope, segment, previous), {})
            if not now and not before:
                continue
            label = self.env._("Whole company") if scope == "company" else segments.browse(segment).display_name
            lines.append({"label": label, "total": scope == "company", "now": now, "before": before})
        return lines


class ReportDunningCaseSummary(models.AbstractModel):
    _name = "report.customer_aware_dunning.report_case_summary"
    _description = "Collections monthly summary (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        summaries = self.env["dunning.case.summary"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "dunning.case.summary",
            "docs": summaries,
            "currency": self.env.company.currency_id,
            "num": _number,
            "pct": _percent,
            "headlines": {summary.id: summary._headline_lines() for summary in summaries},
            "reasons": {summary.id: summary._top_delay_reasons() for summary in summaries},
            "figures": {summary.id: summary._figure_lines() for summary in summaries},
            "deals": {summary.id: summary._deal_hold_lines() for summary in summaries},
        }
