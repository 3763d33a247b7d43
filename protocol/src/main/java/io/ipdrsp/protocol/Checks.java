package io.ipdrsp.protocol;

import java.util.Objects;

/** Range checks for message constructors: a value that cannot be put on the wire is a programming error. */
final class Checks {
    private Checks() {
    }

    static int u8(int v, String name) {
        if ((v & ~0xFF) != 0) {
            throw new IllegalArgumentException(name + " must fit an unsigned byte: " + v);
        }
        return v;
    }

    static int u16(int v, String name) {
        if ((v & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(name + " must fit an unsigned short: " + v);
        }
        return v;
    }

    static long u32(long v, String name) {
        if ((v & ~0xFFFF_FFFFL) != 0) {
            throw new IllegalArgumentException(name + " must fit an unsigned int: " + v);
        }
        return v;
    }

    /**
     * A UTF8String must be encodable: Java strings may hold unpaired surrogates, which UTF-8 cannot carry and which
     * Netty/the JDK would silently turn into '?', breaking decode(encode(m)) == m.
     */
    static String utf8(String s, String name) {
        Objects.requireNonNull(s, name);
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException(name + " holds an unpaired surrogate at index " + i);
                }
            }
        }
        return s;
    }
}
