package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectHomeTest {

    @Test
    void findsTheCheckoutAboveTheModuleFolder() {
        Path home = ProjectHome.locate();
        assertThat(home.resolve("infra/cassandra/run-cassandra.sh")).isRegularFile();
        assertThat(Path.of("").toAbsolutePath().startsWith(home)).isTrue();
    }

    @Test
    void anExplicitHomeWithoutTheScriptsIsRejected(@TempDir Path notAHome) {
        String before = System.getProperty("ipdr.home");
        System.setProperty("ipdr.home", notAHome.toString());
        try {
            assertThatThrownBy(ProjectHome::locate).isInstanceOf(LaunchException.class)
                    .hasMessageContaining(notAHome.toString());
        } finally {
            if (before == null) {
                System.clearProperty("ipdr.home");
            } else {
                System.setProperty("ipdr.home", before);
            }
        }
        assertThat(Files.exists(notAHome)).isTrue();
    }
}
