package io.ipdrsp.simulator;

import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/** A template set version of a session: one template here, identified by configId, and its record builder. */
final class TemplateSet {
    private static final int POOL = 256;

    final int configId;
    final List<TemplateBlock> blocks;
    final RecordFactory factory;
    final byte[][] pool; // pre-encoded records (load mode), or null

    private TemplateSet(int configId, TemplateBlock block, RecordFactory factory, byte[][] pool) {
        this.configId = configId;
        this.blocks = List.of(block);
        this.factory = factory;
        this.pool = pool;
    }

    static TemplateSet of(int configId, TemplateBlock block, CmtsIdentity identity, boolean ipv6Raw,
            boolean preEncoded) {
        RecordFactory factory = new RecordFactory(block, identity, ipv6Raw);
        byte[][] pool = null;
        if (preEncoded) {
            pool = new byte[POOL][];
            ByteBuf tmp = Unpooled.buffer(1024);
            long ms = System.currentTimeMillis();
            for (int i = 0; i < pool.length; i++) {
                tmp.clear();
                factory.write(tmp, 0, i, ms);
                pool[i] = new byte[tmp.readableBytes()];
                tmp.readBytes(pool[i]);
            }
        }
        return new TemplateSet(configId, block, factory, pool);
    }

    TemplateBlock block() {
        return blocks.get(0);
    }

    int nextConfigId() {
        return (configId + 1) & 0xffff;
    }

    /**
     * The template after a MODIFY_TEMPLATE: enabled flags by fieldId; null when nothing changes (the collector
     * named another template, or asked for what is already there).
     */
    TemplateBlock negotiated(List<TemplateBlock> asked) {
        TemplateBlock mine = block();
        TemplateBlock theirs = asked.stream().filter(b -> b.templateId() == mine.templateId()).findFirst()
                .orElse(null);
        if (theirs == null) {
            return null;
        }
        List<FieldDescriptor> fields = new ArrayList<>();
        boolean changed = false;
        for (FieldDescriptor f : mine.fields()) {
            boolean on = theirs.fields().stream().filter(x -> x.fieldId() == f.fieldId()).findFirst()
                    .map(FieldDescriptor::enabled).orElse(f.enabled());
            changed |= on != f.enabled();
            fields.add(f.withEnabled(on));
        }
        return changed ? new TemplateBlock(mine.templateId(), mine.schemaName(), mine.typeName(), fields) : null;
    }

    /** The last field toggled (at least one stays enabled): a visible layout change with the same templateId. */
    TemplateBlock toggledLastField() {
        TemplateBlock cur = block();
        List<FieldDescriptor> fields = new ArrayList<>(cur.fields());
        int last = fields.size() - 1;
        fields.set(last, fields.get(last).withEnabled(!fields.get(last).enabled()));
        if (fields.stream().noneMatch(FieldDescriptor::enabled)) {
            fields.set(0, fields.get(0).withEnabled(true));
        }
        return new TemplateBlock(cur.templateId(), cur.schemaName(), cur.typeName(), fields);
    }
}
