from . import (
    test_access,
    test_collection_case,
    test_daily_run,
    test_install,
    test_partner_facts,
    test_policy_document,
    test_policy_dry_run,
    test_run_jobs,
    test_segments,
    test_views,
    test_web_client,
)
