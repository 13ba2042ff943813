/** The administrator edits a draft policy: the error line is marked, fixed, validated ("valid"),
 * tried in a dry run, then activated. */
import { registry } from "@web/core/registry";

const editor = () => window.ace.edit(document.querySelector(".o_cad_policy_yaml .ace_editor"));

/** The editor takes the sheet's width: a field widget is inline by default and Ace then draws its text
 * in a zero-wide box (the gutter alone showed, read-only versions looked empty). */
const checkShown = () => {
    const width = document.querySelector(".o_cad_policy_yaml .ace_scroller").getBoundingClientRect().width;
    if (width < 300) {
        throw new Error(`the policy's text is drawn ${width}px wide`);
    }
};

registry.category("web_tour.tours").add("customer_aware_dunning_policy_admin", {
    steps: () => [
        {
            content: "The editor highlights YAML",
            trigger: ".o_cad_policy_yaml .ace_editor",
            run: () => {
                const mode = editor().getSession().$modeId;
                if (mode !== "ace/mode/yaml") {
                    throw new Error(`the policy editor is in ${mode}, not YAML`);
                }
                checkShown();
            },
        },
        {
            content: "The line with the problem is marked in the gutter",
            trigger: ".o_cad_policy_yaml .ace_gutter-cell.o_cad_policy_error_line",
            run: () => {
                const row = editor().getSession().getAnnotations()[0].row;
                const line = editor().getSession().getLine(row);
                if (!line.includes("max_promise_days: thirty")) {
                    throw new Error(`the marked line is "${line}"`);
                }
            },
        },
        {
            content: "Activate is not the primary button of a draft with problems",
            trigger: ".o_statusbar_buttons:not(:has(button.btn-primary[name='action_activate']))",
        },
        {
            content: "Fix the line",
            trigger: ".o_cad_policy_yaml .ace_editor",
            run: () => {
                const ace = editor();
                ace.setValue(ace.getValue().replace("max_promise_days: thirty", "max_promise_days: 30"), -1);
            },
        },
        {
            content: "Validate",
            trigger: ".o_statusbar_buttons button[name='action_validate']",
            run: "click",
        },
        {
            content: "It says the version is valid",
            trigger: ".o_notification:contains('is valid')",
        },
        {
            content: "No line is marked any more",
            trigger: ".o_cad_policy_yaml:not(:has(.o_cad_policy_error_line)) .ace_gutter-cell",
        },
        {
            content: "Try it in a dry run",
            trigger: ".o_statusbar_buttons button[name='action_dry_run']",
            run: "click",
        },
        {
            trigger: ".modal button[name='action_run']",
            run: "click",
        },
        {
            content: "The dry run lists the customer",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:contains('Tour Bakery Oy')",
        },
        {
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "Activate, now the primary button",
            trigger: "body:not(:has(.modal)) .o_statusbar_buttons button.btn-primary[name='action_activate']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('is now the active policy')",
        },
        {
            content: "The active version, read-only, still shows its text with numbered lines",
            trigger: ".o_form_view:has(.o_statusbar_status button[data-value='active'][aria-checked='true']) .o_cad_policy_yaml .ace_editor",
            run: () => {
                checkShown();
                if (!editor().getReadOnly() || !document.querySelector(".o_cad_policy_yaml .ace_gutter-cell")) {
                    throw new Error("the active version is editable or has no line numbers");
                }
            },
        },
    ],
});
