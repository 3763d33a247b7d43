package io.ipdrsp.simulator;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Makes the documentIds of one CMTS (event-loop confined). */
final class DocumentIds {
    private static final long NTP_EPOCH_OFFSET = 2_208_988_800L; // seconds from 1900-01-01 to 1970-01-01
    private static final SecureRandom RANDOM = new SecureRandom();

    private final long mac;
    private long lastTimeWord;

    DocumentIds(long mac) {
        this.mac = mac;
    }

    byte[] next(DocumentIdKind kind) {
        return switch (kind) {
            case TIME_PREFIXED -> timePrefixed();
            case ALL_ZERO -> new byte[16];
            case RANDOM -> random();
        };
    }

    /** DOCSIS layout: 32-bit time word (NTP-era seconds, strictly increasing per CMTS), zeros, CMTS MAC. */
    private byte[] timePrefixed() {
        long word = (System.currentTimeMillis() / 1000 + NTP_EPOCH_OFFSET) & 0xffffffffL;
        word = Math.max(word, lastTimeWord + 1) & 0xffffffffL;
        lastTimeWord = word;
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt((int) word).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
        return b.array();
    }

    private static byte[] random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40); // version 4
        b[8] = (byte) ((b[8] & 0x3f) | 0x80); // IETF variant
        return b;
    }

    static String uuidText(byte[] id) {
        String h = HexFormat.of().formatHex(id);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }
}
