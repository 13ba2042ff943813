from . import (
    credit_rating_import,
    dunning_case_approve,
    dunning_case_close,
    dunning_case_hold,
    dunning_invoice_answer,
    dunning_policy_compare,
    dunning_policy_compare_steps,
    dunning_policy_dry_run,
)
