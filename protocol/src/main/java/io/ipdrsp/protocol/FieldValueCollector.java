package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Builds {@link FieldValue}s from a {@link RecordDecoder}'s primitive callbacks, for tools and tests
 * ({@link RecordDecoder#decodeValues}); allocates per field, so never on the collector's record path.
 */
final class FieldValueCollector implements RecordVisitor {
    private final List<FieldDescriptor> fields;
    private final RecordDecoder decoder;
    final List<FieldValue> values;
    private List<FieldValue> array;
    private int arrayField = -1;
    private int arrayLeft;

    FieldValueCollector(RecordDecoder decoder) {
        this.decoder = decoder;
        this.fields = decoder.fields();
        this.values = new ArrayList<>(fields.size());
    }

    private void add(int field, Object value, String text) {
        FieldDescriptor f = fields.get(field);
        FieldType t = decoder.fieldType(field);
        FieldValue v = new FieldValue(f.fieldName(), f.fieldId(), f.typeId(), t.name(), value, text);
        if (field == arrayField && arrayLeft > 0) {
            array.add(v);
            if (--arrayLeft == 0) {
                finishArray();
            }
        } else {
            values.add(v);
        }
    }

    private void finishArray() {
        FieldDescriptor f = fields.get(arrayField);
        List<Object> elements = new ArrayList<>(array.size());
        for (FieldValue e : array) {
            elements.add(e.value());
        }
        values.add(new FieldValue(f.fieldName(), f.fieldId(), f.typeId(), decoder.fieldType(arrayField).name(),
            Collections.unmodifiableList(elements), FieldValue.listText(array)));
        arrayField = -1;
    }

    @Override
    public void onArrayStart(int field, int count) {
        arrayField = field;
        arrayLeft = count;
        array = new ArrayList<>(Math.min(count, 1024));
        if (count == 0) {
            finishArray();
        }
    }

    @Override
    public void onInt(int field, int value) {
        add(field, FieldValue.intValue(decoder.fieldType(field), value), FieldValue.intText(value));
    }

    @Override
    public void onLong(int field, long value) {
        FieldType t = decoder.fieldType(field);
        add(field, FieldValue.longValue(t, value), FieldValue.longText(t, value));
    }

    @Override
    public void onFloat(int field, float value) {
        add(field, value, Float.toString(value));
    }

    @Override
    public void onDouble(int field, double value) {
        add(field, value, Double.toString(value));
    }

    @Override
    public void onBoolean(int field, boolean value) {
        add(field, value, Boolean.toString(value));
    }

    @Override
    public void onBytes(int field, ByteBuf buf, int offset, int length) {
        byte[] b = ByteBufUtil.getBytes(buf, offset, length);
        FieldType t = decoder.fieldType(field);
        add(field, FieldValue.bytesValue(t, b), FieldValue.bytesText(t, b));
    }
}
