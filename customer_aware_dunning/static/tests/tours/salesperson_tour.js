/** A salesperson (own documents only) records why an overdue invoice is late and a promise, and sees the
 * case paused until the promised date. */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_aware_dunning_salesperson", {
    steps: () => [
        {
            content: "The overdue invoice opens without an access error",
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tour Bakery Oy')",
        },
        {
            content: "Record the customer's answer",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(\"Customer's answer\")",
            run: "click",
        },
        {
            content: "Choose the delay reason",
            trigger: ".modal .o_field_widget[name='delay_reason_id'] input",
            run: "edit Waiting for a purchase order",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Waiting for a purchase order')",
            run: "click",
        },
        {
            content: "Enter the promised date",
            trigger: ".modal .o_field_widget[name='promise_date'] input",
            run: "edit 12/15/2026",
        },
        {
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit They pay when their purchase order is signed.",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "Open the invoice's collection case",
            trigger: "body:not(:has(.modal)) .o_form_view button[name='action_view_dunning_case']",
            run: "click",
        },
        {
            content: "The case is paused until the day after the promised date, and says so",
            trigger: ".o_form_view .o_field_widget[name='next_summary']:contains('Paused until 12/16/2026')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='state'] .o_arrow_button_current:contains('Paused')",
        },
    ],
});
