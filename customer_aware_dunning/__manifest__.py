{
    "name": "Customer-Aware Dunning",
    "summary": "Collections that keep customers: segments, delay reasons, "
    "YAML policies, satisfaction and repeat purchases measured together",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "customer_aware_dunning developers",
    "website": "https://example.invalid/customer_aware_dunning",
    "license": "LGPL-3",
    "depends": ["account", "sale", "mail", "rating", "portal"],
    "external_dependencies": {"python": ["PyYAML"]},
    "data": [
        "security/customer_aware_dunning_security.xml",
        "security/ir.model.access.csv",
        "data/dunning_sequence.xml",
        "data/dunning_segment_data.xml",
        "data/dunning_delay_reason_data.xml",
        "data/dunning_cron.xml",
        "views/customer_aware_dunning_menus.xml",
    ],
    "installable": True,
    "application": False,
}
