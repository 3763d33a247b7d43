package io.ipdrsp.node.config;

/** IPDR/SP 2.1 capability bits a node may offer in CONNECT / accept in CONNECT_RESPONSE (digest §1.5). */
public enum Capability {
    STRUCTURES(0x01),
    MULTISESSION(0x02),
    TEMPLATE_NEGOTIATION(0x04);

    private final int bit;

    Capability(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    public static int mask(Iterable<Capability> caps) {
        int m = 0;
        for (Capability c : caps) {
            m |= c.bit;
        }
        return m;
    }
}
