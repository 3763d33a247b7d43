package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who durably received a record: one node during one stretch (one SESSION_START..SESSION_STOP on that node). Each
 * stored version of a record keeps the set of its receipts ({@code record_versions.receipts}); a write adds its receipt
 * to that set in the same row mutation as the bytes, so a retried write (the driver's or the node's) adds the same
 * element again and changes nothing, while a re-send that reached another stretch adds another one. Hence the rule of
 * the audit: <b>duplicates removed = receipts − versions stored</b> (docs/storage.md "Duplicates removed").
 *
 * <p>Stored as text {@code "<stretch> <D|-> <node>"}: the stretch number first (it orders the receipts by when their
 * stretch began), the DATA's D flag, the node last so that it may contain any character. Immutable; the one-element
 * sets the record path binds are serialized once per receipt on first use, not per record (encoding a set per row cost
 * the writer more than hashing the record), and never for receipts only parsed from stored rows.
 */
public final class Receipt {
    private static final AtomicLong LAST = new AtomicLong();
    private static final TypeCodec<Set<String>> SET_OF_TEXT = TypeCodecs.setOf(TypeCodecs.TEXT);

    private final String node;
    private final long stretch;
    /** Serialized on first use; a racing second serialization yields the same bytes. */
    private volatile ByteBuffer flagged;
    private volatile ByteBuffer unflagged;

    /**
     * @param node    the node's id
     * @param stretch unique per node and stretch: microseconds since the epoch when the stretch began, strictly
     *                increasing within a JVM ({@link #next}) so two stretches opened in the same microsecond differ
     */
    public Receipt(String node, long stretch) {
        if (node == null || node.isEmpty()) {
            throw new IllegalArgumentException("node must not be empty");
        }
        if (stretch < 0) {
            throw new IllegalArgumentException("negative stretch: " + stretch);
        }
        this.node = node;
        this.stretch = stretch;
    }

    /** A receipt for a stretch that begins now on {@code node}. */
    public static Receipt next(String node) {
        long now = System.currentTimeMillis() * 1000;
        return new Receipt(node, LAST.accumulateAndGet(now, (last, t) -> Math.max(last + 1, t)));
    }

    public String node() {
        return node;
    }

    public long stretch() {
        return stretch;
    }

    /** The stored element for a record received with ({@code dupFlag}) or without the D flag. */
    public String cell(boolean dupFlag) {
        return stretch + (dupFlag ? " D " : " - ") + node;
    }

    /** The one-element set a write adds to the row's receipts, serialized (a read-only view; bind it as is). */
    ByteBuffer serializedSet(boolean dupFlag) {
        ByteBuffer b = dupFlag ? flagged : unflagged;
        if (b == null) {
            // the same bytes in protocol V4 and V5 (a set is [n][length][bytes]...); the session is pinned to V4
            b = SET_OF_TEXT.encode(Set.of(cell(dupFlag)), ProtocolVersion.V4);
            if (dupFlag) {
                flagged = b;
            } else {
                unflagged = b;
            }
        }
        return b.asReadOnlyBuffer();
    }

    /** The receipt and D flag of a stored element; an element in another form counts as one receipt of that name. */
    public static Cell parse(String cell) {
        Objects.requireNonNull(cell, "cell");
        int a = cell.indexOf(' ');
        int b = a < 0 ? -1 : cell.indexOf(' ', a + 1);
        if (a > 0 && b == a + 2 && b + 1 < cell.length()) {
            try {
                return new Cell(new Receipt(cell.substring(b + 1), Long.parseLong(cell.substring(0, a))),
                        cell.charAt(a + 1) == 'D');
            } catch (IllegalArgumentException notOurs) {
                // fall through
            }
        }
        return new Cell(new Receipt(cell.isEmpty() ? "?" : cell, 0), false);
    }

    /** One parsed element of a receipts set. */
    public record Cell(Receipt receipt, boolean dupFlag) {
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Receipt r && r.stretch == stretch && r.node.equals(node);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(stretch) * 31 + node.hashCode();
    }

    @Override
    public String toString() {
        return node + "@" + stretch;
    }
}
