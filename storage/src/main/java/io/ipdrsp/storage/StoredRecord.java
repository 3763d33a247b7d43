package io.ipdrsp.storage;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * One stored version of a record: the raw record bytes of the DATA message and who received it.
 *
 * @param data       read-only view of the record bytes
 * @param dupFlag    the D flag of the DATA message of the first receipt
 * @param receivedBy the node of the first receipt (the one whose stretch began first)
 * @param receivedAt when the last write of this version happened
 * @param digest     the version ({@link RecordDigest}); identical re-sends share it
 * @param receipts   every receipt of this version as stored ({@link Receipt#cell}), first receipt first; a re-send
 *                   through another stretch adds one
 */
public record StoredRecord(RecordKey key, long seq, int templateId, int configId, boolean dupFlag, ByteBuffer data,
        String receivedBy, Instant receivedAt, ByteBuffer digest, List<String> receipts) {
    /** Orders receipt cells by stretch (when their stretch began), then by text. */
    static final Comparator<String> FIRST_RECEIPT_FIRST = Comparator
            .comparingLong((String c) -> Receipt.parse(c).receipt().stretch()).thenComparing(Comparator.naturalOrder());

    public StoredRecord {
        data = data.asReadOnlyBuffer();
        digest = digest.asReadOnlyBuffer();
        receipts = List.copyOf(receipts);
    }

    /** A version with one receipt (how a row of the pre-version {@code records} table reads). */
    public StoredRecord(RecordKey key, long seq, int templateId, int configId, boolean dupFlag, ByteBuffer data,
            String receivedBy, Instant receivedAt) {
        this(key, seq, templateId, configId, dupFlag, data, receivedBy, receivedAt,
                RecordDigest.of(templateId, configId, data),
                List.of(new Receipt(receivedBy == null || receivedBy.isEmpty() ? "?" : receivedBy, 0).cell(dupFlag)));
    }

    /** A version read from {@code record_versions}: the first receipt names {@code receivedBy} and {@code dupFlag}. */
    static StoredRecord of(RecordKey key, long seq, ByteBuffer digest, int templateId, int configId, ByteBuffer data,
            Iterable<String> receiptCells, Instant receivedAt) {
        List<String> sorted = new java.util.ArrayList<>();
        if (receiptCells != null) {
            receiptCells.forEach(sorted::add);
        }
        sorted.sort(FIRST_RECEIPT_FIRST);
        Receipt.Cell first = sorted.isEmpty() ? new Receipt.Cell(new Receipt("?", 0), false)
                : Receipt.parse(sorted.get(0));
        return new StoredRecord(key, seq, templateId, configId, first.dupFlag(), data, first.receipt().node(),
                receivedAt, digest, sorted);
    }

    /** A copy of the record bytes. */
    public byte[] dataBytes() {
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }

    /** Whether this is the same version (same digest) as {@code other}. */
    public boolean sameVersion(StoredRecord other) {
        return digest.equals(other.digest);
    }
}
