from datetime import timedelta

from odoo import api, fields, models

from .dunning_case_report import RATIOS

# Measures that have no value for some cases (not rated, not closed): an average or ratio over none of
# them is empty, never 0.
MAY_BE_EMPTY = {*RATIOS, "satisfaction", "days_to_collect"}
MONTHLY_DATES = ("opened_on", "closed_on")


def _may_be_empty(spec):
    return spec.split(":")[0] in MAY_BE_EMPTY


def _date_bounds(domain, fname):
    """``(first, last)`` day a plain AND domain keeps of ``fname`` (either may be ``None``)."""
    if not domain or any(leaf in ("|", "!") for leaf in domain):
        return None, None
    first = last = None
    for leaf in domain:
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or leaf[0] != fname or not leaf[2]:
            continue
        value = fields.Date.to_date(leaf[2])
        if leaf[1] in (">=", ">"):
            first = value + timedelta(days=1) if leaf[1] == ">" else value
        elif leaf[1] in ("<=", "<"):
            last = value - timedelta(days=1) if leaf[1] == "<" else value
    return first, last


class DunningCaseReport(models.Model):
    """How the analysis reaches the web client's pivots, charts and spreadsheet: empty means empty.

    * A ratio, average satisfaction or days to collect over cases that have none (only open or
      unrated cases) is sent as ``false`` to tables (an empty cell) and as ``null`` to charts
      (no point), not as 0.
    * A monthly chart shows every month of the period it is filtered on (the dashboard's "Opened"
      filter), up to today: months without a case are there, with no point for a ratio.
    """

    _inherit = "dunning.case.report"

    def _read_group_empty_value(self, spec):
        if _may_be_empty(spec):
            return None
        return super()._read_group_empty_value(spec)

    @api.model
    def formatted_read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        records = self
        fill = self.env.context.get("fill_temporal")
        first_groupby = groupby[0] if groupby else ""
        fname = first_groupby.split(":")[0]
        if fill is True and fname in MONTHLY_DATES and ":" in first_groupby:
            first, last = _date_bounds(domain, fname)
            today = fields.Date.context_today(self)
            last = min(last or today, today)
            if first and first <= last:
                records = self.with_context(fill_temporal={"fill_from": first, "fill_to": last})
        return super(DunningCaseReport, records).formatted_read_group(
            domain, groupby=groupby, aggregates=aggregates, having=having, offset=offset, limit=limit, order=order)

    def _web_read_group_format(self, groupby, aggregates, groups):
        result = super()._web_read_group_format(groupby, aggregates, groups)
        # Charts read groups with fill_temporal and draw null as no point; tables draw false as an empty cell.
        empty = None if self.env.context.get("fill_temporal") else False
        for spec in aggregates:
            if _may_be_empty(spec):
                for group in result:
                    if group.get(spec) is None:
                        group[spec] = empty
        return result
