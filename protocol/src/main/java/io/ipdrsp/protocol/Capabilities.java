package io.ipdrsp.protocol;

import java.util.StringJoiner;

/**
 * Capability bits of CONNECT / CONNECT_RESPONSE (IPDR/SP 2.1 §4.1.1). A capability applies only if both sides set
 * it. 0x08 (REQUEST_RESPONSE) is deliberately absent: no reliable source defines it (digest §1.5).
 */
public final class Capabilities {
    /** Records may contain IPDR 3.5 arrays and structures. */
    public static final int STRUCTURES = 0x01;
    /** Several sessions on one connection. */
    public static final int MULTISESSION = 0x02;
    /** The collector may MODIFY_TEMPLATE / START_NEGOTIATION. */
    public static final int TEMPLATE_NEGOTIATION = 0x04;

    private Capabilities() {
    }

    public static boolean has(int capabilities, int bit) {
        return (capabilities & bit) == bit;
    }

    /** E.g. {@code MULTISESSION|TEMPLATE_NEGOTIATION}, unknown bits as hex; "NONE" for 0. */
    public static String describe(int capabilities) {
        if (capabilities == 0) {
            return "NONE";
        }
        StringJoiner j = new StringJoiner("|");
        if (has(capabilities, STRUCTURES)) {
            j.add("STRUCTURES");
        }
        if (has(capabilities, MULTISESSION)) {
            j.add("MULTISESSION");
        }
        if (has(capabilities, TEMPLATE_NEGOTIATION)) {
            j.add("TEMPLATE_NEGOTIATION");
        }
        int rest = capabilities & ~(STRUCTURES | MULTISESSION | TEMPLATE_NEGOTIATION);
        if (rest != 0) {
            j.add("0x" + Integer.toHexString(rest));
        }
        return j.toString();
    }
}
