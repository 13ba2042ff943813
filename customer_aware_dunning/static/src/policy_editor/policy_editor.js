/** The policy's YAML editor: Ace's YAML mode, line numbers also when read-only, and the lines with a
 * problem marked in the gutter (the server's validation, recomputed as the text changes). */
import { registry } from "@web/core/registry";
import { CodeEditor } from "@web/core/code_editor/code_editor";
import { AceField, aceField } from "@web/views/fields/ace/ace_field";
import { onWillStart, status, useEffect } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";

export class PolicyCodeEditor extends CodeEditor {
    static props = {
        ...CodeEditor.props,
        mode: { type: String, optional: true },
        errorLines: { type: Array, optional: true },
    };

    setup() {
        super.setup();
        useEffect(
            () => {
                // Read-only versions keep their line numbers: problems and reviews name lines.
                this.aceEditor.renderer.setOptions({ showGutter: true });
            },
            () => [this.props.readonly]
        );
        useEffect(
            (errorLines) => {
                const session = this.aceEditor.getSession();
                for (const row of this.markedRows || []) {
                    session.removeGutterDecoration(row, "o_cad_policy_error_line");
                }
                this.markedRows = [];
                const annotations = (errorLines || []).map(([line, text]) => ({
                    row: line - 1,
                    column: 0,
                    text,
                    type: "error",
                }));
                session.setAnnotations(annotations);
                for (const { row } of annotations) {
                    session.addGutterDecoration(row, "o_cad_policy_error_line");
                    this.markedRows.push(row);
                }
                if (annotations.length) {
                    // Show the first problem: a long policy scrolls.
                    const row = annotations[0].row;
                    window.requestAnimationFrame(() => {
                        if (status(this) !== "destroyed") {
                            this.aceEditor.resize(true);
                            this.aceEditor.scrollToLine(row, true, false, () => {});
                        }
                    });
                }
            },
            () => [this.props.errorLines, this.props.value, this.props.sessionId]
        );
    }
}

export class PolicyYamlField extends AceField {
    static template = "customer_aware_dunning.PolicyYamlField";
    static components = { CodeEditor: PolicyCodeEditor };

    setup() {
        super.setup();
        this.yamlMode = false;
        onWillStart(async () => {
            await loadBundle("web.ace_lib");
            // Ace's YAML mode comes with the bootstrap (Odoo does not ship it): plain text without it.
            this.yamlMode = "ace/mode/yaml" in (window.define?.modules || {});
        });
    }

    get mode() {
        return this.yamlMode ? "yaml" : "text";
    }

    get errorLines() {
        try {
            return JSON.parse(this.props.record.data.error_lines || "[]");
        } catch {
            return [];
        }
    }
}

registry.category("fields").add("cad_policy_yaml", {
    ...aceField,
    component: PolicyYamlField,
    relatedFields: [{ name: "error_lines", type: "text" }],
});
