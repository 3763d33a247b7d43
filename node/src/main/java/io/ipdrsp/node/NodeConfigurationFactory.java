package io.ipdrsp.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.YamlConfigurationFactory;
import jakarta.validation.Validator;
import java.io.IOException;

/**
 * Dropwizard's YAML factory, except that "no file" means {@link NodeConfiguration#embeddedDefault()} (loopback binds,
 * generated credentials) rather than the class's field defaults, which a configuration file must complete. The
 * {@code dw.*} system property overrides apply to both.
 */
public final class NodeConfigurationFactory extends DefaultConfigurationFactoryFactory<NodeConfiguration> {
    private final boolean https;

    public NodeConfigurationFactory() {
        this(false);
    }

    /** @param https the embedded default's connectors serve HTTPS with a generated certificate */
    public NodeConfigurationFactory(boolean https) {
        this.https = https;
    }

    @Override
    public ConfigurationFactory<NodeConfiguration> create(Class<NodeConfiguration> klass, Validator validator,
            ObjectMapper objectMapper, String propertyPrefix) {
        ObjectMapper mapper = configureObjectMapper(objectMapper.copy());
        return new YamlConfigurationFactory<>(klass, validator, mapper, propertyPrefix) {
            @Override
            public NodeConfiguration build() throws IOException, ConfigurationException {
                com.fasterxml.jackson.databind.JsonNode tree = mapper.valueToTree(https
                        ? NodeConfiguration.embeddedDefaultHttps() : NodeConfiguration.embeddedDefault());
                return build(tree, "the embedded default");
            }
        };
    }
}
