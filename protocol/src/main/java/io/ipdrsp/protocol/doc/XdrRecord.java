package io.ipdrsp.protocol.doc;

import io.ipdrsp.protocol.Bytes;
import io.ipdrsp.protocol.FieldValue;
import java.util.List;
import java.util.Objects;

/**
 * IPDRREC (stream element discriminator 2) as read: its descriptor, the record's value bytes (exactly what an SP
 * DATA message would carry after its 4-byte length) and the decoded values.
 */
public record XdrRecord(RecordDescriptor descriptor, Bytes data, List<FieldValue> values) implements XdrElement {
    public XdrRecord {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(data, "data");
        values = List.copyOf(values);
    }
}
