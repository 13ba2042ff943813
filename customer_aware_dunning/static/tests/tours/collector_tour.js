/** The collector's first task: the work list, "Run now", then preview and approve a harsh step. */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_aware_dunning_collector", {
    url: "/odoo/action-customer_aware_dunning.action_dunning_worklist",
    steps: () => [
        {
            content: "Run today's collections from the work list",
            trigger: ".o_list_view button[name='action_dunning_run_now']",
            run: "click",
        },
        {
            content: "The run says it is done",
            trigger: ".o_notification:contains('Collections are up to date')",
        },
        {
            content: "The final notice waits for approval: open its preview",
            trigger: ".o_data_row:contains('Tour Bakery Oy') button[name='action_open_approve_wizard']",
            run: "click",
        },
        {
            content: "The preview shows the message the step sends",
            trigger: ".modal .o_field_widget[name='body']:contains('Tour Bakery Oy')",
        },
        {
            content: "and the invoice it covers",
            trigger: ".modal .o_field_widget[name='invoice_ids'] .o_data_row",
        },
        {
            content: "Approve and send, once",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The approval is confirmed",
            trigger: ".o_notification:contains('approved and sent to Tour Bakery Oy')",
        },
        {
            content: "The dialog is gone",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
