package io.ipdrsp.protocol;

import java.util.List;
import java.util.Objects;

/**
 * A template as announced in TEMPLATE_DATA / GET_TEMPLATES_RESPONSE / MODIFY_TEMPLATE(_RESPONSE) (IPDR/SP 2.1 §4.4).
 * {@code templateId} is scoped by session and configId.
 */
public record TemplateBlock(int templateId, String schemaName, String typeName, List<FieldDescriptor> fields) {
    public TemplateBlock {
        Objects.requireNonNull(schemaName, "schemaName");
        Objects.requireNonNull(typeName, "typeName");
        fields = List.copyOf(fields);
    }

    /** Only the fields present on the wire, in template order. */
    public List<FieldDescriptor> enabledFields() {
        return fields.stream().filter(FieldDescriptor::enabled).toList();
    }
}
