from . import (
    account_move,
    dunning_case,
    dunning_case_event,
    dunning_channel,
    dunning_delay_reason,
    dunning_demo,
    dunning_partner_facts,
    dunning_policy,
    dunning_policy_sync,
    dunning_run,
    dunning_segment,
    res_partner,
)
