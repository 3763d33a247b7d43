package io.ipdrsp.simulator;

/**
 * Who a simulated CMTS is on the wire and in its records: host name, MAC (documentId suffix), addresses, modem
 * count and boot time. Modem addresses derive from the CMTS MAC and the modem index, so they are stable across
 * runs and distinct across CMTSes.
 */
record CmtsIdentity(String hostName, long mac, int ipv4, byte[] ipv6, int modems, long bootTimeSeconds) {

    CmtsIdentity withBootTime(long t) {
        return new CmtsIdentity(hostName, mac, ipv4, ipv6, modems, t);
    }

    long modemMac(int modem) {
        // Arris-like OUI 00:1d:ce, low 24 bits from the CMTS MAC and the modem index.
        return 0x001DCE000000L | (RecordFactory.mix(mac * 31 + modem) & 0xffffffL);
    }

    int modemIpv4(int modem) {
        int cmtsPart = (int) (mac & 0x3f);
        return (10 << 24) | ((64 + cmtsPart) << 16) | ((modem / 250) << 8) | (1 + modem % 250);
    }

    byte[] modemIpv6(int modem) {
        // 2001:db8:<cmts>:<modem>::1 (documentation prefix)
        return new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, (byte) (mac >>> 8), (byte) mac, (byte) (modem >>> 8),
            (byte) modem, 0, 0, 0, 0, 0, 0, 0, 1};
    }

    byte[] modemLinkLocal(int modem) {
        long m = modemMac(modem);
        // fe80:: + modified EUI-64 of the modem MAC
        return new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, (byte) ((m >>> 40) ^ 0x02), (byte) (m >>> 32),
            (byte) (m >>> 24), (byte) 0xff, (byte) 0xfe, (byte) (m >>> 16), (byte) (m >>> 8), (byte) m};
    }

    static String macText(long mac) {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", (mac >>> 40) & 0xff, (mac >>> 32) & 0xff,
                (mac >>> 24) & 0xff, (mac >>> 16) & 0xff, (mac >>> 8) & 0xff, mac & 0xff);
    }
}
