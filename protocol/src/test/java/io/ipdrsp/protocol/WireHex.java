package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;

/** Test helper: byte strings written as spaced hex, as in the digest's worked examples. */
final class WireHex {
    private WireHex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(bytes(hex));
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
