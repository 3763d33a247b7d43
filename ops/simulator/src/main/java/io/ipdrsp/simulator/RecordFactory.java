package io.ipdrsp.simulator;

import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.RecordEncoder;
import io.ipdrsp.protocol.TemplateBlock;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds realistic records for one template of one CMTS. A record is a pure function of (document index, DSN), so
 * a re-sent record is byte-identical to its first send without the simulator keeping record bytes: the collector's
 * "duplicate with different bytes" alarm must never fire on a simulator re-send.
 *
 * <p>Record {@code dsn} describes modem {@code (dsn / 2) % modems}, downstream flow for even and upstream flow for
 * odd DSNs. Service flow counters grow with the document index, so successive intervals look like real SAMIS.
 */
final class RecordFactory {
    private enum Kind {
        CMTS_HOST, SYS_UPTIME, CMTS_IPV4, CMTS_IPV6, MD_IF_NAME, MD_IF_INDEX, CM_MAC, CM_IPV4, CM_IPV6, CM_IPV6_LL,
        QOS_VERSION, REG_STATUS, LAST_REG_TIME, REC_TYPE, REC_CREATION_TIME, SF_CHSET, SF_APP_ID, SF_DS_MULTICAST,
        SFID, GATE_ID, SF_CLASS, SF_DIRECTION, OCTETS, PKTS, SLA_DROP, SLA_DELAY, SF_CREATED, SF_ACTIVE, SG_ID,
        RCP_ID, RCC_STATUS, RCS_ID, TCS_ID, CPE_MAC, CPE_IPV4, CPE_IPV6, CPE_FQDN, GENERIC
    }

    private final RecordEncoder encoder;
    private final Kind[] kinds;
    private final FieldType[] types;
    private final CmtsIdentity cmts;

    RecordFactory(TemplateBlock template, CmtsIdentity cmts, boolean ipv6Raw) {
        this.encoder = RecordEncoder.compile(template, ipv6Raw);
        this.cmts = cmts;
        List<FieldDescriptor> fields = encoder.fields();
        kinds = new Kind[fields.size()];
        types = new FieldType[fields.size()];
        for (int i = 0; i < kinds.length; i++) {
            types[i] = FieldType.of(fields.get(i).typeId());
            kinds[i] = kindOf(fields.get(i).localName(), types[i]);
        }
    }

    TemplateBlock template() {
        return encoder.template();
    }

    /** Writes the record bytes (no length prefix); returns the number of bytes written. */
    int write(ByteBuf out, long docIndex, long dsn, long nowMillis) {
        RecordEncoder.Writer w = encoder.writer(out);
        int modem = (int) ((dsn >>> 1) % cmts.modems());
        boolean upstream = (dsn & 1) == 1;
        long flowSeed = mix(cmts.mac() ^ (modem * 2L + (upstream ? 1 : 0)));
        for (int i = 0; i < kinds.length; i++) {
            switch (kinds[i]) {
                case CMTS_HOST -> w.putString(cmts.hostName());
                case SYS_UPTIME -> w.putLong(((nowMillis - cmts.bootTimeSeconds() * 1000L) / 10) & 0xffffffffL);
                case CMTS_IPV4 -> w.putLong(cmts.ipv4() & 0xffffffffL);
                case CMTS_IPV6 -> w.putBytes(cmts.ipv6());
                case MD_IF_NAME -> w.putString("Cable" + (1 + modem % 4) + "/0/" + (modem % 16));
                case MD_IF_INDEX -> w.putLong(1000 + (modem % 64));
                case CM_MAC -> w.putLong(cmts.modemMac(modem));
                case CM_IPV4 -> w.putLong(cmts.modemIpv4(modem) & 0xffffffffL);
                case CM_IPV6 -> w.putBytes(cmts.modemIpv6(modem));
                case CM_IPV6_LL -> w.putBytes(cmts.modemLinkLocal(modem));
                case QOS_VERSION -> w.putLong(2);
                case REG_STATUS -> w.putLong(modem % 97 == 5 ? 2 : 8); // mostly operational
                case LAST_REG_TIME -> w.putLong(cmts.bootTimeSeconds() + 30 + (flowSeed & 0x3fff));
                case REC_TYPE -> w.putLong(1); // Interim
                case REC_CREATION_TIME -> w.putLong(nowMillis);
                case SF_CHSET -> w.putBytes(upstream ? new byte[] {1, 2, 3, 4} : new byte[] {33, 34, 35, 36, 37, 38, 39, 40});
                case SF_APP_ID, GATE_ID -> w.putLong(0);
                case SF_DS_MULTICAST -> w.putBoolean(false);
                case SFID -> w.putLong(1 + modem * 2L + (upstream ? 1 : 0));
                case SF_CLASS -> w.putString(upstream ? "US_20M" : "DS_300M");
                case SF_DIRECTION -> w.putLong(upstream ? 2 : 1);
                case OCTETS -> w.putLong(octets(flowSeed, upstream, docIndex));
                case PKTS -> w.putLong(octets(flowSeed, upstream, docIndex) / (upstream ? 310 : 1150));
                case SLA_DROP -> w.putLong(upstream ? 0 : (flowSeed >>> 20) % 50 * (docIndex + 1));
                case SLA_DELAY -> w.putLong(upstream ? 0 : (flowSeed >>> 30) % 20 * (docIndex + 1));
                case SF_CREATED -> w.putLong(3000 + (flowSeed & 0xfff)); // sysUpTime-based, hundredths
                case SF_ACTIVE -> w.putLong(Math.max(0, nowMillis / 1000 - cmts.bootTimeSeconds() - 60));
                case SG_ID -> w.putLong(1 + modem % 8);
                case RCP_ID -> w.putBytes(new byte[0]);
                case RCC_STATUS -> w.putLong(0);
                case RCS_ID -> w.putLong(13);
                case TCS_ID -> w.putLong(6);
                case CPE_MAC -> w.putLong(cmts.modemMac(modem) ^ 0x0000_0100_0000L);
                case CPE_IPV4 -> w.putLong((cmts.modemIpv4(modem) ^ 0x0A000000 ^ 0x64000000) & 0xffffffffL);
                case CPE_IPV6 -> w.putBytes(cpeIpv6(modem));
                case CPE_FQDN -> w.putString("cpe-" + modem + "." + cmts.hostName() + ".example.net");
                case GENERIC -> generic(w, types[i], dsn, i);
                default -> throw new IllegalStateException();
            }
        }
        return w.finish();
    }

    private byte[] cpeIpv6(int modem) {
        byte[] b = cmts.modemIpv6(modem).clone();
        b[15] ^= 0x55;
        return b;
    }

    private static long octets(long seed, boolean upstream, long docIndex) {
        long perInterval = (upstream ? 2_000_000L : 40_000_000L) + (seed & 0xffffff) * (upstream ? 3 : 50);
        return (seed >>> 40) * 1000 + perInterval * (docIndex + 1);
    }

    private void generic(RecordEncoder.Writer w, FieldType t, long dsn, int field) {
        switch (t.layout()) {
            case FLOAT -> w.putFloat((float) (dsn % 1000) / 10f);
            case DOUBLE -> w.putDouble((dsn % 100000) / 100.0);
            case BOOLEAN -> w.putBoolean((dsn & 1) == 0);
            case STRING -> w.putString("value-" + field + "-" + dsn);
            case HEX_BINARY -> {
                if (t.typeId() == FieldType.IPV6_ADDR || t.typeId() == FieldType.UUID) {
                    w.putBytes(cmts.modemIpv6((int) (dsn % cmts.modems())));
                } else if (t.typeId() == FieldType.IP_ADDR) {
                    w.putBytes(new byte[] {10, 1, (byte) (dsn >>> 8), (byte) dsn});
                } else {
                    w.putBytes(("b" + dsn).getBytes(StandardCharsets.US_ASCII));
                }
            }
            case BYTE, UNSIGNED_BYTE -> w.putLong(dsn & 0x7f);
            case SHORT, UNSIGNED_SHORT -> w.putLong(dsn & 0x7fff);
            case INT -> w.putLong(dsn & 0x7fffffff);
            case UNSIGNED_INT -> w.putLong(t.typeId() == FieldType.DATE_TIME ? System.currentTimeMillis() / 1000
                    : dsn & 0xffffffffL);
            case LONG, UNSIGNED_LONG -> w.putLong(t.typeId() == FieldType.DATE_TIME_MSEC ? System.currentTimeMillis()
                    : t.typeId() == FieldType.DATE_TIME_USEC ? System.currentTimeMillis() * 1000
                    : t.typeId() == FieldType.MAC_ADDRESS ? cmts.modemMac((int) (dsn % cmts.modems())) : dsn);
            default -> throw new IllegalStateException("unencodable " + t);
        }
    }

    private static Kind kindOf(String name, FieldType type) {
        Kind k = switch (name) {
            case "CmtsHostName" -> Kind.CMTS_HOST;
            case "CmtsSysUpTime" -> Kind.SYS_UPTIME;
            case "CmtsIpv4Addr" -> Kind.CMTS_IPV4;
            case "CmtsIpv6Addr" -> Kind.CMTS_IPV6;
            case "CmtsMdIfName" -> Kind.MD_IF_NAME;
            case "CmtsMdIfIndex" -> Kind.MD_IF_INDEX;
            case "CmMacAddr" -> Kind.CM_MAC;
            case "CmIpv4Addr" -> Kind.CM_IPV4;
            case "CmIpv6Addr" -> Kind.CM_IPV6;
            case "CmIpv6LinkLocalAddr" -> Kind.CM_IPV6_LL;
            case "CmQosVersion" -> Kind.QOS_VERSION;
            case "CmRegStatusValue" -> Kind.REG_STATUS;
            case "CmLastRegTime" -> Kind.LAST_REG_TIME;
            case "RecType" -> Kind.REC_TYPE;
            case "RecCreationTime" -> Kind.REC_CREATION_TIME;
            case "ServiceFlowChSet" -> Kind.SF_CHSET;
            case "ServiceAppId" -> Kind.SF_APP_ID;
            case "ServiceDsMulticast" -> Kind.SF_DS_MULTICAST;
            case "ServiceIdentifier" -> Kind.SFID;
            case "ServiceGateId" -> Kind.GATE_ID;
            case "ServiceClassName" -> Kind.SF_CLASS;
            case "ServiceDirection" -> Kind.SF_DIRECTION;
            case "ServiceOctetsPassed" -> Kind.OCTETS;
            case "ServicePktsPassed" -> Kind.PKTS;
            case "ServiceSlaDropPkts" -> Kind.SLA_DROP;
            case "ServiceSlaDelayPkts" -> Kind.SLA_DELAY;
            case "ServiceTimeCreated" -> Kind.SF_CREATED;
            case "ServiceTimeActive" -> Kind.SF_ACTIVE;
            case "CmtsMdCmSgId" -> Kind.SG_ID;
            case "CmtsRcpId" -> Kind.RCP_ID;
            case "CmtsRccStatusId" -> Kind.RCC_STATUS;
            case "CmtsRcsId" -> Kind.RCS_ID;
            case "CmtsTcsId" -> Kind.TCS_ID;
            case "CpeMacAddr" -> Kind.CPE_MAC;
            case "CpeIpv4Addr" -> Kind.CPE_IPV4;
            case "CpeIpv6Addr" -> Kind.CPE_IPV6;
            case "CpeFqdn" -> Kind.CPE_FQDN;
            default -> Kind.GENERIC;
        };
        // A scenario may reuse a DOCSIS name with another type: fall back to a value that fits the type.
        return k != Kind.GENERIC && !fits(k, type) ? Kind.GENERIC : k;
    }

    private static boolean fits(Kind k, FieldType t) {
        return switch (k) {
            case CMTS_HOST, MD_IF_NAME, SF_CLASS, CPE_FQDN -> t.layout() == FieldType.Layout.STRING;
            case CMTS_IPV6, CM_IPV6, CM_IPV6_LL, CPE_IPV6 -> t.typeId() == FieldType.IPV6_ADDR;
            case SF_CHSET, RCP_ID -> t.layout() == FieldType.Layout.HEX_BINARY && t.typeId() == FieldType.HEX_BINARY;
            case SF_DS_MULTICAST -> t.layout() == FieldType.Layout.BOOLEAN;
            case CM_MAC, CPE_MAC, OCTETS, PKTS, REC_CREATION_TIME -> t.layout() == FieldType.Layout.LONG
                    || t.layout() == FieldType.Layout.UNSIGNED_LONG;
            default -> t.layout() == FieldType.Layout.INT || t.layout() == FieldType.Layout.UNSIGNED_INT;
        };
    }

    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
