package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecordEncoderTest {
    private static TemplateBlock template(int... types) {
        FieldDescriptor[] f = new FieldDescriptor[types.length];
        for (int i = 0; i < types.length; i++) {
            f[i] = new FieldDescriptor(types[i], i + 1, "f" + i, true);
        }
        return new TemplateBlock(1, "s", "t", Arrays.asList(f));
    }

    private static String encode(RecordEncoder e, Object... values) {
        ByteBuf out = Unpooled.buffer();
        e.encode(Arrays.asList(values), out);
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void writesTheDigestExamplesAndTextForms() {
        RecordEncoder e = RecordEncoder.compile(template(0x723, 0x427, 0x322, 0x527, 0x122));
        assertThat(encode(e, "00:11:22:33:44:55", null, "192.168.1.255",
            UUID.fromString("09c81132-1dd2-11b2-a03b-af1c144d619b"), Instant.ofEpochSecond(1)))
            .isEqualTo("0000001122334455" + "00000000" + "c0a801ff" + "00000010" + "09c811321dd211b2a03baf1c144d619b"
                + "00000001");
    }

    @Test
    void ipv6RawWritesSixteenBytesWithoutLengthOnlyWhenAsked() {
        TemplateBlock t = template(0x427);
        assertThat(encode(RecordEncoder.compile(t, true), "2001:db8::1"))
            .isEqualTo("20010db8000000000000000000000001");
        assertThat(encode(RecordEncoder.compile(t, false), "2001:db8::1"))
            .isEqualTo("00000010" + "20010db8000000000000000000000001");
        assertThatThrownBy(() -> encode(RecordEncoder.compile(t, true), (Object) new byte[0]))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsValuesOutsideTheFieldsRangeAndWrongCounts() {
        RecordEncoder e = RecordEncoder.compile(template(0x2b, 0x22));
        assertThatThrownBy(() -> encode(e, 256, 1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(e, 1, -1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(e, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(e, 1, "host.example")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.writer(Unpooled.buffer()).putInt(1).finish())
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RecordEncoder.compile(template(FieldType.ARRAY_FLAG | 0x21)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void skipsDisabledFields() {
        TemplateBlock t = new TemplateBlock(1, "s", "t", List.of(new FieldDescriptor(0x2c, 1, "a", true),
            new FieldDescriptor(0x28, 2, "b", false), new FieldDescriptor(0x29, 3, "c", true)));
        assertThat(encode(RecordEncoder.compile(t), (short) -1, true)).isEqualTo("ffff01");
    }
}
