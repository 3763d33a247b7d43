package io.ipdrsp.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ipdrsp.protocol.Bytes;
import io.ipdrsp.protocol.Connect;
import io.ipdrsp.protocol.Data;
import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.FieldValue;
import io.ipdrsp.protocol.FrameExtras;
import io.ipdrsp.protocol.IpdrMessage;
import io.ipdrsp.protocol.SessionStart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Renders protocol values as JSON. Message fields are found by walking the record components, so a field added
 * to a message record shows up without touching this class; only presentation exceptions are listed here.
 */
final class JsonRender {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Rendered by the caller (header) or replaced by a better form. */
    private static final Set<String> SKIPPED = Set.of("sessionId", "extras", "record");

    private JsonRender() {
    }

    /** Every field of the message except the header's sessionId and DATA's record bytes. */
    static void messageFields(IpdrMessage m, ObjectNode into) {
        for (RecordComponent c : m.getClass().getRecordComponents()) {
            if (SKIPPED.contains(c.getName())) {
                continue;
            }
            Object v = get(c, m);
            if (m instanceof SessionStart s && c.getName().equals("documentId")) {
                into.put("documentId", s.documentIdAsUuid().toString());
                continue;
            }
            into.set(c.getName(), value(v));
            if (m instanceof Connect && c.getName().equals("initiatorId")) {
                into.put("initiatorAddress", ipv4((Integer) v));
            }
        }
        if (m instanceof Data d) {
            into.put("duplicate", d.isDuplicate());
        }
        FrameExtras extras = m.extras();
        if (!extras.isNone()) {
            // nothing in IPDR/SP 2.1, but a faithful dump shows what the peer sent (reference exporter quirk)
            ObjectNode e = into.putObject("extras");
            e.put("messageFlags", extras.messageFlags());
            e.put("trailer", extras.trailer().toHex());
        }
    }

    private static Object get(RecordComponent c, Object owner) {
        try {
            return c.getAccessor().invoke(owner);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + owner.getClass(), e);
        }
    }

    static JsonNode value(Object v) {
        if (v == null) {
            return JSON.nullNode();
        } else if (v instanceof Integer i) {
            return JSON.numberNode(i);
        } else if (v instanceof Long l) {
            return JSON.numberNode(l);
        } else if (v instanceof Short s) {
            return JSON.numberNode(s);
        } else if (v instanceof Byte b) {
            return JSON.numberNode(b);
        } else if (v instanceof BigInteger b) {
            return JSON.numberNode(b);
        } else if (v instanceof Float f) {
            return JSON.numberNode(f);
        } else if (v instanceof Double d) {
            return JSON.numberNode(d);
        } else if (v instanceof BigDecimal d) {
            return JSON.numberNode(d);
        } else if (v instanceof Boolean b) {
            return JSON.booleanNode(b);
        } else if (v instanceof String s) {
            return JSON.textNode(s);
        } else if (v instanceof Bytes b) {
            return JSON.textNode(b.toHex());
        } else if (v instanceof byte[] b) {
            return JSON.textNode(ByteBufUtil.hexDump(b));
        } else if (v instanceof ByteBuf b) {
            return JSON.textNode(ByteBufUtil.hexDump(b));
        } else if (v instanceof Enum<?> e) {
            return JSON.textNode(e.name());
        } else if (v instanceof Collection<?> list) {
            ArrayNode a = JSON.arrayNode();
            list.forEach(x -> a.add(value(x)));
            return a;
        } else if (v instanceof Record r) {
            ObjectNode o = JSON.objectNode();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                o.set(c.getName(), value(get(c, r)));
            }
            if (r instanceof FieldDescriptor f) {
                o.put("typeName", FieldType.of(f.typeId()).name()); // 0x227 alone means little to a reader
            }
            return o;
        }
        return JSON.textNode(v.toString());
    }

    /** One decoded record field: name, id, type and the value typed as JSON allows. */
    static ObjectNode field(FieldValue f) {
        ObjectNode o = JSON.objectNode();
        o.put("name", f.name());
        o.put("fieldId", f.fieldId());
        o.put("type", f.typeName());
        o.set("value", fieldValue(f.typeId(), f.value(), f.text()));
        return o;
    }

    private static JsonNode fieldValue(int typeId, Object value, String text) {
        if (value instanceof List<?> elements) {
            ArrayNode a = JSON.arrayNode();
            for (Object e : elements) {
                a.add(e instanceof FieldValue fv ? fieldValue(fv.typeId(), fv.value(), fv.text()) : value(e));
            }
            return a;
        }
        // numbers and booleans keep their JSON type; a MAC is a number on the wire but nobody reads it as one
        boolean plain = (value instanceof Number || value instanceof Boolean) && typeId != FieldType.MAC_ADDRESS;
        return plain ? value(value) : JSON.textNode(text);
    }

    static String ipv4(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }
}
