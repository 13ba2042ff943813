from . import dunning_case_report, dunning_case_summary, dunning_letter, dunning_statement, dunning_statement_xlsx
