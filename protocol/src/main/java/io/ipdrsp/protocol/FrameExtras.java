package io.ipdrsp.protocol;

import java.util.Objects;

/**
 * The parts of a frame that mean nothing in IPDR/SP 2.1 but are kept so that a decoded message re-encodes byte
 * for byte: the header's {@code messageFlags} (reserved, "send 0") and any {@code trailer} bytes that
 * {@code messageLen} counts past the message's last field. The IPDR.org reference exporter appends one such byte
 * to CONNECT, CONNECT_RESPONSE and SESSION_STOP; a collector must tolerate it, and a faithful proxy or capture
 * replay must keep it. Messages built by hand use {@link #NONE}.
 */
public record FrameExtras(int messageFlags, Bytes trailer) {
    public static final FrameExtras NONE = new FrameExtras(0, Bytes.EMPTY);

    public FrameExtras {
        Checks.u8(messageFlags, "messageFlags");
        Objects.requireNonNull(trailer, "trailer");
    }

    static FrameExtras of(int messageFlags, Bytes trailer) {
        return messageFlags == 0 && trailer.isEmpty() ? NONE : new FrameExtras(messageFlags, trailer);
    }

    /** True when encoding would produce exactly what the spec prescribes (flags 0, no extra bytes). */
    public boolean isNone() {
        return messageFlags == 0 && trailer.isEmpty();
    }
}
