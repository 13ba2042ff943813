"""Downloads of the statement of account: XLSX for staff, PDF and XLSX for the customer from the case page.

Staff (``auth="user"``) download the XLSX of a customer (collections users, as the
PDF's print action) or of a case they may read.  The customer downloads from the
portal page of the case with the case's access token, checked as the page checks
it (:meth:`DunningPortal._dunning_case_or_none`); a wrong token gets the page's
"link not valid" answer.
"""

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import content_disposition, request

from .portal import DunningPortal

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATEMENT_PDF = "customer_aware_dunning.action_report_dunning_statement_case"
COLLECTIONS_USER = "customer_aware_dunning.group_collections_user"


def _xlsx_response(partner, company):
    name, content = request.env["dunning.statement"]._statement_xlsx(partner, company)
    return request.make_response(content, headers=[
        ("Content-Type", XLSX_MIMETYPE), ("Content-Length", len(content)),
        ("Content-Disposition", content_disposition(name)),
    ])


class DunningStatementDownload(DunningPortal):

    @http.route(["/dunning/statement/partner/<int:partner_id>/xlsx"], type="http", auth="user")
    def dunning_statement_partner_xlsx(self, partner_id, **kw):
        if not request.env.user.has_group(COLLECTIONS_USER):
            raise Forbidden()
        partner = request.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise request.not_found()
        partner.check_access("read")
        return _xlsx_response(partner, request.env.company)

    @http.route(["/dunning/statement/case/<int:case_id>/xlsx"], type="http", auth="user")
    def dunning_statement_case_xlsx(self, case_id, **kw):
        case = request.env["dunning.case"].browse(case_id).exists()
        if not case:
            raise request.not_found()
        case.check_access("read")
        return _xlsx_response(case.partner_id, case.company_id)

    @http.route(["/my/collections/<int:case_id>/statement"], type="http", auth="public", website=True)
    def portal_collection_statement(self, case_id, access_token=None, report_type="pdf", **kw):
        case_sudo = self._dunning_case_or_none(case_id, access_token)
        if case_sudo is None or report_type not in ("pdf", "xlsx"):
            return self._dunning_invalid_link()
        if report_type == "xlsx":
            return _xlsx_response(case_sudo.partner_id, case_sudo.company_id)
        reports = request.env["ir.actions.report"].sudo().with_company(case_sudo.company_id)
        content = reports._render_qweb_pdf(STATEMENT_PDF, case_sudo.ids)[0]
        name = request.env._("Statement of account - %(customer)s.pdf", customer=case_sudo.partner_id.display_name)
        return request.make_response(content, headers=[
            ("Content-Type", "application/pdf"), ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(name)),
        ])
