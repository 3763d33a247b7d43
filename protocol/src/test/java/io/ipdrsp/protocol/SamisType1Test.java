package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamisType1Test {
    @Test
    void templateHasTheTwentyEightFieldsOfDigestSection32() {
        List<FieldDescriptor> f = SamisType1.TEMPLATE.fields();
        assertThat(f).hasSize(SamisType1.FIELD_COUNT).allMatch(FieldDescriptor::enabled);
        assertThat(f).extracting(FieldDescriptor::fieldId).containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, 28).boxed().toList());
        assertThat(f.get(SamisType1.CMTS_HOST_NAME)).isEqualTo(new FieldDescriptor(0x28, 1,
            "DOCSIS-CMTS:CmtsHostName", true));
        assertThat(f.get(SamisType1.CMTS_IPV6_ADDR).typeId()).isEqualTo(0x427);
        assertThat(f.get(SamisType1.CM_MAC_ADDR)).extracting(FieldDescriptor::typeId, FieldDescriptor::fieldName)
            .containsExactly(0x723, "DOCSIS-CM:CmMacAddr");
        assertThat(f.get(SamisType1.CM_LAST_REG_TIME).typeId()).isEqualTo(0x122);
        assertThat(f.get(SamisType1.REC_CREATION_TIME)).extracting(FieldDescriptor::typeId,
            FieldDescriptor::fieldName).containsExactly(0x224, "DOCSIS-REC:RecCreationTime");
        assertThat(f.get(SamisType1.SERVICE_DS_MULTICAST).typeId()).isEqualTo(0x29);
        assertThat(f.get(SamisType1.SERVICE_OCTETS_PASSED).typeId()).isEqualTo(0x24);
        assertThat(f.get(SamisType1.SERVICE_TIME_ACTIVE)).extracting(FieldDescriptor::typeId,
            FieldDescriptor::fieldName).containsExactly(0x22, "DOCSIS-QOS:ServiceTimeActive");
        assertThat(f).extracting(FieldDescriptor::localName).contains("CmtsSysUpTime", "ServiceFlowChSet",
            "ServiceSlaDelayPkts");
    }

    @Test
    void sampleRecordsDecodeToWhatWasBuilt() throws Exception {
        RecordDecoder d = RecordDecoder.compile(SamisType1.TEMPLATE, DecoderOptions.DEFAULT);
        Random r = new Random(42);
        for (int modem = 0; modem < 50; modem++) {
            SamisType1Builder b = SamisType1.sample(r, 3, modem);
            ByteBuf out = Unpooled.buffer();
            int size = b.encodeTo(out);
            assertThat(size).isEqualTo(out.readableBytes());
            List<FieldValue> v = d.decodeValues(out);
            assertThat(v.get(SamisType1.CMTS_HOST_NAME).text()).isEqualTo("cmts003.hfc.example.net");
            assertThat(v.get(SamisType1.CM_MAC_ADDR).value()).isEqualTo(b.cmMacAddr());
            assertThat(v.get(SamisType1.CM_MAC_ADDR).text()).startsWith("00:1a:2b:03:");
            assertThat(v.get(SamisType1.SERVICE_OCTETS_PASSED).value())
                .isEqualTo(BigInteger.valueOf(b.serviceOctetsPassed()));
            assertThat(v.get(SamisType1.CM_IPV6_LINK_LOCAL_ADDR).text()).startsWith("fe80::");
            // the builder's own value list encodes to the same bytes
            ByteBuf viaList = Unpooled.buffer();
            SamisType1.encoder().encode(b.values(), viaList);
            assertThat(viaList).isEqualTo(out);
        }
    }

    @Test
    void builderAcceptsAddressLiterals() throws Exception {
        ByteBuf out = Unpooled.buffer();
        SamisType1.builder().cmtsIpv4Addr("192.0.2.7").cmIpv6Addr("2001:db8::42").cmMacAddr(0x001122334455L)
            .encodeTo(out);
        List<FieldValue> v = RecordDecoder.compile(SamisType1.TEMPLATE, DecoderOptions.DEFAULT).decodeValues(out);
        assertThat(v.get(SamisType1.CMTS_IPV4_ADDR).text()).isEqualTo("192.0.2.7");
        assertThat(v.get(SamisType1.CM_IPV6_ADDR).text()).isEqualTo("2001:db8::42");
        assertThat(v.get(SamisType1.CMTS_IPV6_ADDR).value()).isNull();
        assertThat(v.get(SamisType1.CM_MAC_ADDR).text()).isEqualTo("00:11:22:33:44:55");
    }
}
