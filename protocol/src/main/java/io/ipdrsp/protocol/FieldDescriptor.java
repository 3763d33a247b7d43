package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * One field of a {@link TemplateBlock} (IPDR/SP 2.1 §4.4): {@code typeId}, exporter-assigned {@code fieldId},
 * {@code fieldName} and {@code isEnabled}. A disabled field is absent from DATA records.
 */
public record FieldDescriptor(int typeId, int fieldId, String fieldName, boolean enabled) {
    public FieldDescriptor {
        Objects.requireNonNull(fieldName, "fieldName");
    }

    /** The name without a namespace prefix ({@code DOCSIS-CMTS:CmtsHostName} → {@code CmtsHostName}). */
    public String localName() {
        int cut = Math.max(fieldName.lastIndexOf(':'), fieldName.lastIndexOf('/'));
        return cut < 0 ? fieldName : fieldName.substring(cut + 1);
    }

    public FieldDescriptor withEnabled(boolean on) {
        return on == enabled ? this : new FieldDescriptor(typeId, fieldId, fieldName, on);
    }
}
