package io.ipdrsp.simulator;

import java.util.Locale;

/**
 * How a CMTS makes the 16-byte documentId of a new document (digest §4.1: opaque to a collector; its identity is
 * (exporter, session, documentId, exporterBootTime)).
 */
public enum DocumentIdKind {
    /**
     * The DOCSIS layout {@code TTTTTTTT-0000-0000-0000-MMMMMMMMMMMM}: a 32-bit time word (seconds since 1900,
     * strictly increasing per CMTS) and the CMTS MAC. The default.
     */
    TIME_PREFIXED,
    /**
     * Sixteen zero bytes for every document, the IPDR.org reference exporter's default. Successive documents of a
     * session (after SESSION_STOP 0/6/7) then share the documentId and exporterBootTime; only the SESSION_STOP /
     * SESSION_START boundary and the DSN restarting at 0 tell them apart ({@link Ledger.Document#occurrence()}).
     */
    ALL_ZERO,
    /** A random (version 4) UUID per document. */
    RANDOM;

    /** {@code time-prefixed}, {@code all-zero} or {@code random} (case-insensitive). */
    public static DocumentIdKind parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown documentId kind '" + s + "' (time-prefixed, all-zero, random)");
        }
    }

    /** As written in scenario files. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
