package io.ipdrsp.simulator;

import io.ipdrsp.protocol.FieldDescriptor;
import io.ipdrsp.protocol.FieldType;
import io.ipdrsp.protocol.TemplateBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in DOCSIS templates: SAMIS-TYPE-1 (digest §3.2, field order and types from the Wireshark decoder),
 * CMTS-CM-REG-STATUS-TYPE and CPE-TYPE (field lists from the Cisco LEG templates seed; types by the digest's
 * HIVE notes and the fields' meaning). Schema names are not public (digest §6.1): the ones used here are
 * plausible placeholders, and a collector must treat them as opaque anyway.
 */
public final class Templates {
    public static final String SAMIS_TYPE_1 = "SAMIS-TYPE-1";
    public static final String CMTS_CM_REG_STATUS_TYPE = "CMTS-CM-REG-STATUS-TYPE";
    public static final String CPE_TYPE = "CPE-TYPE";

    private static final int STR = FieldType.STRING;
    private static final int UINT = FieldType.UNSIGNED_INT;
    private static final int INT = FieldType.INT;

    private Templates() {
    }

    /** Names of the built-in templates. */
    public static List<String> builtIns() {
        return List.of(SAMIS_TYPE_1, CMTS_CM_REG_STATUS_TYPE, CPE_TYPE);
    }

    /** A built-in template by name (case-insensitive, with or without the {@code DOCSIS-} prefix), or null. */
    public static TemplateBlock builtIn(String name, int templateId) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("DOCSIS-")) {
            n = n.substring(7);
        }
        return switch (n) {
            case SAMIS_TYPE_1 -> block(templateId, "DOCSIS-SAMIS-TYPE-1", SAMIS_TYPE_1, new Object[][] {
                {"DOCSIS-CMTS:CmtsHostName", STR}, {"DOCSIS-CMTS:CmtsSysUpTime", UINT},
                {"DOCSIS-CMTS:CmtsIpv4Addr", FieldType.IPV4_ADDR}, {"DOCSIS-CMTS:CmtsIpv6Addr", FieldType.IPV6_ADDR},
                {"DOCSIS-CMTS:CmtsMdIfName", STR}, {"DOCSIS-CMTS:CmtsMdIfIndex", UINT},
                {"DOCSIS-CM:CmMacAddr", FieldType.MAC_ADDRESS}, {"DOCSIS-CM:CmIpv4Addr", FieldType.IPV4_ADDR},
                {"DOCSIS-CM:CmIpv6Addr", FieldType.IPV6_ADDR}, {"DOCSIS-CM:CmIpv6LinkLocalAddr", FieldType.IPV6_ADDR},
                {"DOCSIS-CM:CmQosVersion", INT}, {"DOCSIS-CM:CmRegStatusValue", INT},
                {"DOCSIS-CM:CmLastRegTime", FieldType.DATE_TIME}, {"DOCSIS-REC:RecType", INT},
                {"DOCSIS-REC:RecCreationTime", FieldType.DATE_TIME_MSEC},
                {"DOCSIS-QOS:ServiceFlowChSet", FieldType.HEX_BINARY}, {"DOCSIS-QOS:ServiceAppId", UINT},
                {"DOCSIS-QOS:ServiceDsMulticast", FieldType.BOOLEAN}, {"DOCSIS-QOS:ServiceIdentifier", UINT},
                {"DOCSIS-QOS:ServiceGateId", UINT}, {"DOCSIS-QOS:ServiceClassName", STR},
                {"DOCSIS-QOS:ServiceDirection", INT}, {"DOCSIS-QOS:ServiceOctetsPassed", FieldType.UNSIGNED_LONG},
                {"DOCSIS-QOS:ServicePktsPassed", FieldType.UNSIGNED_LONG}, {"DOCSIS-QOS:ServiceSlaDropPkts", UINT},
                {"DOCSIS-QOS:ServiceSlaDelayPkts", UINT}, {"DOCSIS-QOS:ServiceTimeCreated", UINT},
                {"DOCSIS-QOS:ServiceTimeActive", UINT}});
            case CMTS_CM_REG_STATUS_TYPE -> block(templateId, "DOCSIS-CMTS-CM-REG-STATUS-TYPE",
                    CMTS_CM_REG_STATUS_TYPE, new Object[][] {
                {"DOCSIS-CMTS:CmtsHostName", STR}, {"DOCSIS-CMTS:CmtsSysUpTime", UINT},
                {"DOCSIS-CMTS:CmtsMdIfName", STR}, {"DOCSIS-CMTS:CmtsMdIfIndex", UINT},
                {"DOCSIS-CMTS-CM-NODE-CH:CmtsMdCmSgId", UINT}, {"DOCSIS-CMTS-CM-NODE-CH:CmtsRcpId", FieldType.HEX_BINARY},
                {"DOCSIS-CMTS-CM-NODE-CH:CmtsRccStatusId", UINT}, {"DOCSIS-CMTS-CM-NODE-CH:CmtsRcsId", UINT},
                {"DOCSIS-CMTS-CM-NODE-CH:CmtsTcsId", UINT}, {"DOCSIS-CM:CmMacAddr", FieldType.MAC_ADDRESS},
                {"DOCSIS-CM:CmIpv4Addr", FieldType.IPV4_ADDR}, {"DOCSIS-CM:CmIpv6Addr", FieldType.IPV6_ADDR},
                {"DOCSIS-CM:CmIpv6LinkLocalAddr", FieldType.IPV6_ADDR}, {"DOCSIS-CM:CmQosVersion", INT},
                {"DOCSIS-CM:CmRegStatusValue", INT}, {"DOCSIS-CM:CmLastRegTime", FieldType.DATE_TIME},
                {"DOCSIS-REC:RecType", INT}, {"DOCSIS-REC:RecCreationTime", FieldType.DATE_TIME_MSEC}});
            case CPE_TYPE -> block(templateId, "DOCSIS-CPE-TYPE", CPE_TYPE, new Object[][] {
                {"DOCSIS-CMTS:CmtsHostName", STR}, {"DOCSIS-CMTS:CmtsSysUpTime", UINT},
                {"DOCSIS-CMTS:CmtsMdIfName", STR}, {"DOCSIS-CMTS:CmtsMdIfIndex", UINT},
                {"DOCSIS-CM:CmMacAddr", FieldType.MAC_ADDRESS}, {"DOCSIS-REC:RecType", INT},
                {"DOCSIS-CPE:CpeMacAddr", FieldType.MAC_ADDRESS}, {"DOCSIS-CPE:CpeIpv4Addr", FieldType.IPV4_ADDR},
                {"DOCSIS-CPE:CpeIpv6Addr", FieldType.IPV6_ADDR}, {"DOCSIS-CPE:CpeFqdn", STR}});
            default -> null;
        };
    }

    private static TemplateBlock block(int templateId, String schema, String type, Object[][] fields) {
        List<FieldDescriptor> list = new ArrayList<>(fields.length);
        for (int i = 0; i < fields.length; i++) {
            list.add(new FieldDescriptor((Integer) fields[i][1], i + 1, (String) fields[i][0], true));
        }
        return new TemplateBlock(templateId, schema, type, list);
    }

    /** Type names accepted in scenario files, besides numeric ids ({@code 0x21}). */
    static final Map<String, Integer> TYPE_NAMES = Map.ofEntries(
            Map.entry("int", FieldType.INT), Map.entry("unsignedint", FieldType.UNSIGNED_INT),
            Map.entry("long", FieldType.LONG), Map.entry("unsignedlong", FieldType.UNSIGNED_LONG),
            Map.entry("float", FieldType.FLOAT), Map.entry("double", FieldType.DOUBLE),
            Map.entry("hexbinary", FieldType.HEX_BINARY), Map.entry("base64binary", FieldType.HEX_BINARY),
            Map.entry("string", FieldType.STRING), Map.entry("boolean", FieldType.BOOLEAN),
            Map.entry("byte", FieldType.BYTE), Map.entry("unsignedbyte", FieldType.UNSIGNED_BYTE),
            Map.entry("short", FieldType.SHORT), Map.entry("unsignedshort", FieldType.UNSIGNED_SHORT),
            Map.entry("datetime", FieldType.DATE_TIME), Map.entry("datetimemsec", FieldType.DATE_TIME_MSEC),
            Map.entry("ipv4addr", FieldType.IPV4_ADDR), Map.entry("ipv6addr", FieldType.IPV6_ADDR),
            Map.entry("uuid", FieldType.UUID), Map.entry("datetimeusec", FieldType.DATE_TIME_USEC),
            Map.entry("macaddress", FieldType.MAC_ADDRESS), Map.entry("ipaddr", FieldType.IP_ADDR));

    /** Parses a type name or a numeric id; throws IllegalArgumentException for anything else. */
    static int typeId(String text) {
        String t = text.trim();
        Integer named = TYPE_NAMES.get(t.toLowerCase(Locale.ROOT).replace("ipdr:", ""));
        if (named != null) {
            return named;
        }
        try {
            int id = t.startsWith("0x") || t.startsWith("0X") ? Integer.parseUnsignedInt(t.substring(2), 16)
                    : Integer.parseInt(t);
            if (!FieldType.of(id).isSupported()) {
                throw new IllegalArgumentException("type " + t + " is not encodable (" + FieldType.of(id) + ")");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown field type '" + text + "' (e.g. string, unsignedInt, "
                    + "ipV4Addr, macAddress, dateTimeMsec or 0x21)");
        }
    }
}
