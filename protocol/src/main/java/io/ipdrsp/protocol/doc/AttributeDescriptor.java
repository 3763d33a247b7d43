package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.FieldType;
import java.util.Objects;

/**
 * One attribute of a {@link RecordDescriptor} (IPDR/XDR 3.5 §4.3): name <em>then</em> typeId, the opposite order
 * of SP's FieldDescriptor, and no fieldId or isEnabled (only enabled fields are listed).
 */
public record AttributeDescriptor(String attributeName, int typeId) {
    public AttributeDescriptor {
        Objects.requireNonNull(attributeName, "attributeName");
    }

    public FieldType type() {
        return FieldType.of(typeId);
    }
}
