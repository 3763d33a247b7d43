package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void portsAreFreeAndNeverHandedOutTwice() {
        int a = Ports.freePort("127.0.0.1");
        int b = Ports.freePort("127.0.0.1", p -> Ports.isFree("127.0.0.1", p - 1));
        assertThat(a).isNotEqualTo(b);
        assertThat(Ports.isFree("127.0.0.1", a)).isTrue();
        assertThat(Ports.preferredPort("127.0.0.1", a)).as("already issued").isNotEqualTo(a);
    }
}
