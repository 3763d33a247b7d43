package io.ipdrsp.protocol;

import java.util.Optional;

/** The IPDR/SP 2.1 message ids (digest §1.3), plus REQUEST/RESPONSE seen in later dissectors. */
public enum MessageType {
    FLOW_START(0x01),
    FLOW_STOP(0x03),
    CONNECT(0x05),
    CONNECT_RESPONSE(0x06),
    DISCONNECT(0x07),
    SESSION_START(0x08),
    SESSION_STOP(0x09),
    TEMPLATE_DATA(0x10),
    FINAL_TEMPLATE_DATA_ACK(0x13),
    GET_SESSIONS(0x14),
    GET_SESSIONS_RESPONSE(0x15),
    GET_TEMPLATES(0x16),
    GET_TEMPLATES_RESPONSE(0x17),
    MODIFY_TEMPLATE(0x1a),
    MODIFY_TEMPLATE_RESPONSE(0x1b),
    START_NEGOTIATION(0x1d),
    START_NEGOTIATION_REJECT(0x1e),
    DATA(0x20),
    DATA_ACK(0x21),
    ERROR(0x23),
    /** Not in SP 2.1 (digest §1.3: "IPDR/SP 2.2", layout partly unverified). A collector never sends it. */
    REQUEST(0x30),
    /** Not in SP 2.1, see {@link #REQUEST}. */
    RESPONSE(0x31),
    KEEP_ALIVE(0x40);

    private static final MessageType[] BY_ID = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;

    MessageType(int id) {
        this.id = id;
    }

    /** The {@code messageId} byte. */
    public int id() {
        return id;
    }

    /** The type with this id, or null for an id the protocol does not define (including ids outside 0..255). */
    public static MessageType forId(int id) {
        return (id & ~0xFF) == 0 ? BY_ID[id] : null;
    }

    public static Optional<MessageType> lookup(int id) {
        return Optional.ofNullable(forId(id));
    }
}
