package io.ipdrsp.node.session;

import io.ipdrsp.node.config.TemplateNegotiation;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Template negotiation (SP 2.1 §2.13): the exporter's templates with the configured fields switched on or off. */
final class Negotiation {
    private Negotiation() {
    }

    /** The templates as this node wants them, fields matched by local name (case-insensitive). */
    static List<TemplateBlock> wanted(TemplateNegotiation config, List<TemplateBlock> offered) {
        List<String> on = config.getEnable().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        List<String> off = config.getDisable().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        List<TemplateBlock> out = new ArrayList<>();
        for (TemplateBlock t : offered) {
            List<FieldDescriptor> fields = new ArrayList<>();
            for (FieldDescriptor f : t.fields()) {
                String n = f.localName().toLowerCase(Locale.ROOT);
                fields.add(on.contains(n) ? f.withEnabled(true) : off.contains(n) ? f.withEnabled(false) : f);
            }
            out.add(new TemplateBlock(t.templateId(), t.schemaName(), t.typeName(), fields));
        }
        return out;
    }
}
