package io.ipdrsp.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The login the ipdr commands send: a user:password file as the node generates it. */
class NodeCredentialsTest {

    @Test
    void readsTheGeneratedLoginFileAndRejectsAMalformedOne(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("admin.credentials"), "admin:s3cr:et\n");
        var login = NodeCredentials.read(file).orElseThrow();
        assertThat(login.getUserName()).isEqualTo("admin");
        assertThat(new String(login.getPassword())).as("everything after the first colon").isEqualTo("s3cr:et");
        Path bad = Files.writeString(dir.resolve("bad"), "no-colon-here\n");
        assertThatThrownBy(() -> NodeCredentials.read(bad)).hasMessageContaining("must hold user:password");
        assertThatThrownBy(() -> NodeCredentials.read(dir.resolve("missing"))).hasMessageContaining("cannot read");
    }
}
