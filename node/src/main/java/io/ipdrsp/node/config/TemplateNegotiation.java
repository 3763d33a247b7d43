package io.ipdrsp.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Template negotiation for one exporter: fields to switch on or off by name (local name, without namespace,
 * compared case-insensitively) with MODIFY_TEMPLATE when the exporter's TEMPLATE_DATA is negotiable and both sides
 * offered TEMPLATE_NEGOTIATION. Empty lists = accept the exporter's template as is.
 */
public final class TemplateNegotiation {
    @JsonProperty
    private List<String> enable = new ArrayList<>();
    @JsonProperty
    private List<String> disable = new ArrayList<>();

    public List<String> getEnable() {
        return enable;
    }

    public List<String> getDisable() {
        return disable;
    }

    public TemplateNegotiation enable(String... names) {
        enable = new ArrayList<>(List.of(names));
        return this;
    }

    public TemplateNegotiation disable(String... names) {
        disable = new ArrayList<>(List.of(names));
        return this;
    }

    public boolean isActive() {
        return !enable.isEmpty() || !disable.isEmpty();
    }
}
