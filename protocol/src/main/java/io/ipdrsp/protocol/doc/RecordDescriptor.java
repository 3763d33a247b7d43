package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RECORDDESC (stream element discriminator 1, IPDR/XDR 3.5 §4.3): announces the layout of the IPDRREC elements
 * that name {@code descriptorId}. It must precede its first use.
 */
public record RecordDescriptor(int descriptorId, String typeName, List<AttributeDescriptor> attributes)
    implements XdrElement {
    public RecordDescriptor {
        Objects.requireNonNull(typeName, "typeName");
        attributes = List.copyOf(attributes);
    }

    /** The descriptor for the enabled fields of an SP template. */
    public static RecordDescriptor of(int descriptorId, TemplateBlock template) {
        List<AttributeDescriptor> a = new ArrayList<>();
        for (FieldDescriptor f : template.enabledFields()) {
            a.add(new AttributeDescriptor(f.fieldName(), f.typeId()));
        }
        return new RecordDescriptor(descriptorId, template.typeName(), a);
    }

    /**
     * As an SP template, so that {@code RecordDecoder} can decode the records: templateId = descriptorId, an empty
     * schemaName (XDR has none), field ids 1..n in order, all enabled.
     */
    public TemplateBlock toTemplate() {
        List<FieldDescriptor> f = new ArrayList<>(attributes.size());
        for (int i = 0; i < attributes.size(); i++) {
            AttributeDescriptor a = attributes.get(i);
            f.add(new FieldDescriptor(a.typeId(), i + 1, a.attributeName(), true));
        }
        return new TemplateBlock(descriptorId, "", typeName, f);
    }
}
