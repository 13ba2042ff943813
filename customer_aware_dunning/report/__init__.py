from . import dunning_case_report, dunning_letter
