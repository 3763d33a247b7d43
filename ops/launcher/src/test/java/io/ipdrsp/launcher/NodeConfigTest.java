package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

    @Test
    @SuppressWarnings("unchecked")
    void theTreeIsWrittenAsYamlThatReadsBackToTheSameValues() throws Exception {
        NodeConfig c = NodeConfig.of("node-1", "dc: one # not a comment")
                .http("127.0.0.1", 8101, 0)
                .set("storage.contactPoints", List.of("127.0.0.1:9042"))
                .set("storage.keyspace", "ks")
                .add("exporters", NodeConfig.map("name", "cmts-01", "address", "127.0.1.1", "keepAliveSeconds", 5))
                .add("exporters", NodeConfig.map("name", "cmts-02", "port", 4737))
                .logToFile("WARN", Path.of("/tmp/a b/node: 1.log"));

        Map<String, Object> read = new YAMLMapper().readValue(c.toYaml(), Map.class);

        assertThat((Map<String, Object>) read.get("node")).containsEntry("id", "node-1")
                .containsEntry("site", "dc: one # not a comment");
        assertThat(c.id()).isEqualTo("node-1");
        assertThat(c.get("storage.keyspace")).isEqualTo("ks");
        assertThat(c.get("no.such.key")).isNull();
        Map<String, Object> server = (Map<String, Object>) read.get("server");
        assertThat((List<Map<String, Object>>) server.get("applicationConnectors"))
                .containsExactly(Map.of("type", "http", "bindHost", "127.0.0.1", "port", 8101));
        assertThat((List<Map<String, Object>>) read.get("exporters")).extracting(e -> e.get("name"))
                .containsExactly("cmts-01", "cmts-02");
        Map<String, Object> logging = (Map<String, Object>) read.get("logging");
        assertThat(((List<Map<String, Object>>) logging.get("appenders")).get(0))
                .containsEntry("currentLogFilename", "/tmp/a b/node: 1.log");
    }
}
