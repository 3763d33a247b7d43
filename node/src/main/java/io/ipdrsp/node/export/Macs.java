package io.ipdrsp.node.export;

import java.util.HexFormat;
import java.util.Locale;

/** MAC addresses as the subscriber view shows and accepts them: 48 bits in a long, {@code aa:bb:cc:dd:ee:ff}. */
public final class Macs {
    private Macs() {
    }

    /** {@code aa:bb:cc:dd:ee:ff}; eight groups when the two high bytes are not zero (nothing hidden). */
    public static String format(long mac) {
        int groups = (mac >>> 48) == 0 ? 6 : 8;
        StringBuilder s = new StringBuilder(groups * 3);
        for (int i = groups - 1; i >= 0; i--) {
            s.append(HexFormat.of().toHexDigits((byte) (mac >>> (8 * i))));
            if (i > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff}, {@code aa-bb-…}, {@code aabb.ccdd.eeff}, {@code "00 18 9b …"} or 12 (or 16,
     * the IPDR macAddress's 8 bytes) hex digits.
     *
     * @throws IllegalArgumentException when it is none of those
     */
    public static long parse(String text) {
        String hex = text.trim().toLowerCase(Locale.ROOT).replaceAll("[:\\-. ]", "");
        if ((hex.length() != 12 && hex.length() != 16) || !hex.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "' (use aa:bb:cc:dd:ee:ff)");
        }
        return Long.parseUnsignedLong(hex, 16);
    }
}
