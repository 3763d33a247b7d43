package io.ipdrsp.simulator;

/** The per-session view of one collector connection. */
final class LinkSession {
    /** FLOW_START not seen, TEMPLATE_DATA sent and awaiting FINAL_TEMPLATE_DATA_ACK, or ready for SESSION_START. */
    enum State { IDLE, TEMPLATES_SENT, READY }

    State state = State.IDLE;
    int announcedConfigId = -1;
    boolean negotiable;
    /** The document this collector was sent SESSION_START for and no SESSION_STOP yet, or null. */
    ExportDocument activeDoc;
    /** Kept out of the active role until then (an ack timeout). */
    long suspendedUntil;
}
