package io.ipdrsp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ipdrsp.protocol.FieldType.Layout;
import io.ipdrsp.protocol.FieldType.Presentation;
import org.junit.jupiter.api.Test;

class FieldTypeTest {
    @Test
    void baseTypesHaveTheirXdrLayoutsAndNames() {
        assertThat(FieldType.of(0x21).layout()).isEqualTo(Layout.INT);
        assertThat(FieldType.of(0x2d).layout()).isEqualTo(Layout.UNSIGNED_SHORT);
        assertThat(FieldType.of(0x2d).name()).isEqualTo("unsignedShort");
        assertThat(FieldType.of(0x27).layout().isVariable()).isTrue();
        assertThat(FieldType.of(0x29).layout().fixedSize()).isEqualTo(1);
        for (int id = 0x21; id <= 0x2d; id++) {
            assertThat(FieldType.of(id).layout().baseTypeId()).isEqualTo(id);
            assertThat(FieldType.of(id).isSupported()).isTrue();
        }
    }

    @Test
    void derivedTypesTakeLayoutFromTheLowByteAndPresentationFromTheFullId() {
        assertThat(FieldType.of(0x122)).extracting(FieldType::name, FieldType::layout, FieldType::presentation)
            .containsExactly("dateTime", Layout.UNSIGNED_INT, Presentation.DATE_TIME_SEC);
        assertThat(FieldType.of(0x224).layout()).isEqualTo(Layout.UNSIGNED_LONG);
        assertThat(FieldType.of(0x322).presentation()).isEqualTo(Presentation.IPV4);
        assertThat(FieldType.of(0x427).layout()).isEqualTo(Layout.HEX_BINARY);
        assertThat(FieldType.of(0x527).name()).isEqualTo("uuid");
        assertThat(FieldType.of(0x623).layout()).isEqualTo(Layout.LONG);
        assertThat(FieldType.of(0x723)).extracting(FieldType::name, FieldType::layout)
            .containsExactly("macAddress", Layout.LONG);
        assertThat(FieldType.of(0x827).presentation()).isEqualTo(Presentation.IP_ADDR);
        FieldType future = FieldType.of(0x4422);
        assertThat(future.layout()).isEqualTo(Layout.UNSIGNED_INT);
        assertThat(future.presentation()).isEqualTo(Presentation.NUMBER);
        assertThat(future.isSupported()).isTrue();
    }

    @Test
    void flagsAndUnknownBaseBytesAreNotSupportedButStillDescribed() {
        FieldType array = FieldType.of(FieldType.ARRAY_FLAG | 0x21);
        assertThat(array.isArray()).isTrue();
        assertThat(array.isSupported()).isFalse();
        assertThat(array.layout()).isEqualTo(Layout.INT);
        assertThat(array.name()).isEqualTo("int[]");
        assertThat(FieldType.of(FieldType.STRUCTURE_FLAG).isStructure()).isTrue();
        assertThat(FieldType.of(FieldType.STRUCTURE_FLAG).layout()).isNull();
        assertThat(FieldType.of(0x2e).layout()).isNull();
        assertThat(FieldType.of(0x20).isSupported()).isFalse();
        assertThat(FieldType.of(0x20).name()).contains("0x20");
    }
}
