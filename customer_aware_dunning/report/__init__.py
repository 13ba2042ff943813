from . import (
    dunning_case_report,
    dunning_case_report_arrangements,
    dunning_case_report_deals,
    dunning_case_report_web,
    dunning_case_summary,
    dunning_letter,
    dunning_statement,
    dunning_statement_xlsx,
)
