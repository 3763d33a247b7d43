package io.ipdrsp.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test fixture: the DOCSIS SAMIS-TYPE-1 record (digest §3.2, field order and wire layout from the Wireshark
 * dissector) as a {@link TemplateBlock}, and a builder of realistic records. The simulator, the benchmarks and the
 * tests share it. The schema/type names real CMTSes put in TEMPLATE_DATA are unverified (digest §6.1); the ones here
 * are placeholders a collector must not depend on.
 */
public final class SamisType1 {
    public static final String SCHEMA_NAME = "DOCSIS-SAMIS-TYPE-1";
    public static final String TYPE_NAME = "DOCSIS-SAMIS-TYPE-1";

    // Index of each field in the template (and in a RecordVisitor's field argument when all are enabled).
    public static final int CMTS_HOST_NAME = 0;
    public static final int CMTS_SYS_UP_TIME = 1;
    public static final int CMTS_IPV4_ADDR = 2;
    public static final int CMTS_IPV6_ADDR = 3;
    public static final int CMTS_MD_IF_NAME = 4;
    public static final int CMTS_MD_IF_INDEX = 5;
    public static final int CM_MAC_ADDR = 6;
    public static final int CM_IPV4_ADDR = 7;
    public static final int CM_IPV6_ADDR = 8;
    public static final int CM_IPV6_LINK_LOCAL_ADDR = 9;
    public static final int CM_QOS_VERSION = 10;
    public static final int CM_REG_STATUS_VALUE = 11;
    public static final int CM_LAST_REG_TIME = 12;
    public static final int REC_TYPE = 13;
    public static final int REC_CREATION_TIME = 14;
    public static final int SERVICE_FLOW_CH_SET = 15;
    public static final int SERVICE_APP_ID = 16;
    public static final int SERVICE_DS_MULTICAST = 17;
    public static final int SERVICE_IDENTIFIER = 18;
    public static final int SERVICE_GATE_ID = 19;
    public static final int SERVICE_CLASS_NAME = 20;
    public static final int SERVICE_DIRECTION = 21;
    public static final int SERVICE_OCTETS_PASSED = 22;
    public static final int SERVICE_PKTS_PASSED = 23;
    public static final int SERVICE_SLA_DROP_PKTS = 24;
    public static final int SERVICE_SLA_DELAY_PKTS = 25;
    public static final int SERVICE_TIME_CREATED = 26;
    public static final int SERVICE_TIME_ACTIVE = 27;
    public static final int FIELD_COUNT = 28;

    private static final List<FieldDescriptor> FIELDS = numbered(
        field(FieldType.STRING, "DOCSIS-CMTS:CmtsHostName"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-CMTS:CmtsSysUpTime"),
        field(FieldType.IPV4_ADDR, "DOCSIS-CMTS:CmtsIpv4Addr"),
        field(FieldType.IPV6_ADDR, "DOCSIS-CMTS:CmtsIpv6Addr"),
        field(FieldType.STRING, "DOCSIS-CMTS:CmtsMdIfName"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-CMTS:CmtsMdIfIndex"),
        field(FieldType.MAC_ADDRESS, "DOCSIS-CM:CmMacAddr"),
        field(FieldType.IPV4_ADDR, "DOCSIS-CM:CmIpv4Addr"),
        field(FieldType.IPV6_ADDR, "DOCSIS-CM:CmIpv6Addr"),
        field(FieldType.IPV6_ADDR, "DOCSIS-CM:CmIpv6LinkLocalAddr"),
        field(FieldType.INT, "DOCSIS-CM:CmQosVersion"),
        field(FieldType.INT, "DOCSIS-CM:CmRegStatusValue"),
        field(FieldType.DATE_TIME, "DOCSIS-CM:CmLastRegTime"),
        field(FieldType.INT, "DOCSIS-REC:RecType"),
        field(FieldType.DATE_TIME_MSEC, "DOCSIS-REC:RecCreationTime"),
        field(FieldType.HEX_BINARY, "DOCSIS-QOS:ServiceFlowChSet"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceAppId"),
        field(FieldType.BOOLEAN, "DOCSIS-QOS:ServiceDsMulticast"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceIdentifier"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceGateId"),
        field(FieldType.STRING, "DOCSIS-QOS:ServiceClassName"),
        field(FieldType.INT, "DOCSIS-QOS:ServiceDirection"),
        field(FieldType.UNSIGNED_LONG, "DOCSIS-QOS:ServiceOctetsPassed"),
        field(FieldType.UNSIGNED_LONG, "DOCSIS-QOS:ServicePktsPassed"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceSlaDropPkts"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceSlaDelayPkts"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceTimeCreated"),
        field(FieldType.UNSIGNED_INT, "DOCSIS-QOS:ServiceTimeActive"));

    private static FieldDescriptor field(int typeId, String name) {
        return new FieldDescriptor(typeId, 0, name, true);
    }

    /** Field ids 1..28 in template order. */
    private static List<FieldDescriptor> numbered(FieldDescriptor... fields) {
        List<FieldDescriptor> out = new ArrayList<>(fields.length);
        for (int i = 0; i < fields.length; i++) {
            FieldDescriptor f = fields[i];
            out.add(new FieldDescriptor(f.typeId(), i + 1, f.fieldName(), true));
        }
        return List.copyOf(out);
    }

    /** Template id 1 with all 28 fields enabled (field ids 1..28). */
    public static final TemplateBlock TEMPLATE = template(1);

    private static final RecordEncoder ENCODER = RecordEncoder.compile(TEMPLATE);

    private SamisType1() {
    }

    /** The SAMIS-TYPE-1 template under another template id, all fields enabled. */
    public static TemplateBlock template(int templateId) {
        return new TemplateBlock(templateId, SCHEMA_NAME, TYPE_NAME, FIELDS);
    }

    /** The encoder for {@link #TEMPLATE} (any template id: the record does not carry it). */
    public static RecordEncoder encoder() {
        return ENCODER;
    }

    /** A builder with plausible defaults (one downstream service flow of one modem). */
    public static SamisType1Builder builder() {
        return new SamisType1Builder();
    }

    /**
     * A realistic record for modem {@code modem} behind CMTS {@code cmts}: addresses and MAC derived from the
     * indices (stable across calls; MAC {@code 00:1a:2b:<cmts & 0xff>:<modem & 0xffff>}), counters and times drawn
     * from {@code random}.
     */
    public static SamisType1Builder sample(Random random, int cmts, int modem) {
        long nowMs = 1_700_000_000_000L + (random.nextInt(86_400) * 1000L);
        boolean downstream = random.nextBoolean();
        int channels = downstream ? 8 + random.nextInt(25) : 2 + random.nextInt(3);
        byte[] chSet = new byte[channels];
        for (int i = 0; i < channels; i++) {
            chSet[i] = (byte) (1 + i);
        }
        long pkts = (long) (random.nextDouble() * 50_000_000L);
        int cmIdx = modem & 0xffffff;
        return new SamisType1Builder()
            .cmtsHostName(String.format("cmts%03d.hfc.example.net", cmts))
            .cmtsSysUpTime(Integer.toUnsignedLong(random.nextInt(Integer.MAX_VALUE)))
            .cmtsIpv4Addr(ipv4(10, (cmts >> 8) & 0xff, cmts & 0xff, 1))
            .cmtsIpv6Addr(ipv6(0x20010db8_00000000L | (cmts & 0xffff), 1))
            .cmtsMdIfName("Cable" + (1 + modem % 8) + "/0/" + (modem % 16))
            .cmtsMdIfIndex(1000 + modem % 128)
            .cmMacAddr((0x001a2bL << 24) | ((cmts & 0xff) << 16) | (modem & 0xffff))
            .cmIpv4Addr(ipv4(100, 64 + (cmIdx >> 16 & 0x3f), cmIdx >> 8 & 0xff, cmIdx & 0xff))
            .cmIpv6Addr(ipv6(0x20010db8_10000000L | (cmts & 0xffff), cmIdx + 2))
            .cmIpv6LinkLocalAddr(ipv6(0xfe800000_00000000L, 0x021a2bff_fe000000L | cmIdx))
            .cmQosVersion(2)
            .cmRegStatusValue(8)
            .cmLastRegTime(nowMs / 1000 - random.nextInt(30 * 86_400))
            .recType(1)
            .recCreationTime(nowMs)
            .serviceFlowChSet(chSet)
            .serviceAppId(0)
            .serviceDsMulticast(false)
            .serviceIdentifier(1 + (cmIdx * 4L + (downstream ? 1 : 0)) % 0xffffffffL)
            .serviceGateId(0)
            .serviceClassName(downstream ? "DS_1000M_GOLD" : "US_50M_GOLD")
            .serviceDirection(downstream ? 1 : 2)
            .serviceOctetsPassed(pkts * (200 + random.nextInt(1200)))
            .servicePktsPassed(pkts)
            .serviceSlaDropPkts(downstream ? random.nextInt(1000) : 0)
            .serviceSlaDelayPkts(downstream ? random.nextInt(100) : 0)
            .serviceTimeCreated(Integer.toUnsignedLong(random.nextInt(Integer.MAX_VALUE)))
            .serviceTimeActive(random.nextInt(30 * 86_400));
    }

    static byte[] ipv4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static byte[] ipv6(long high, long low) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return out;
    }

    static byte[] literal(String address, int... allowedLengths) {
        if (address.isEmpty()) {
            return new byte[0];
        }
        if (address.indexOf(':') < 0 && !address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an address literal: " + address); // never resolve names
        }
        try {
            byte[] b = InetAddress.getByName(address).getAddress();
            for (int len : allowedLengths) {
                if (b.length == len) {
                    return b;
                }
            }
            throw new IllegalArgumentException("wrong address family: " + address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + address, e);
        }
    }
}
