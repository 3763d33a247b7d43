package io.ipdrsp.simulator;

import java.util.List;
import java.util.Map;

/** A YAML value of a scenario file with the position it came from (for {@code file:line:column} messages). */
record ScenarioNode(Object value, int line, int column) {
    @SuppressWarnings("unchecked")
    Map<String, ScenarioNode> map() {
        return (Map<String, ScenarioNode>) value;
    }

    @SuppressWarnings("unchecked")
    List<ScenarioNode> list() {
        return (List<ScenarioNode>) value;
    }
}
