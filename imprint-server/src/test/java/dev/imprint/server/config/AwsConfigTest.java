package dev.imprint.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** aws.*: on by default at 127.0.0.5:8883 (a listener named aws with the hub.* settings), off when disabled; aws.template. */
class AwsConfigTest {
    @TempDir
    Path dir;

    @Test
    void on_by_default_at_its_default_address_and_off_when_disabled() throws Exception {
        ImprintConfig.Hub byDefault = ConfigLoader.load(dir, Map.of()).aws();
        assertThat(byDefault.mqtt()).isEqualTo("mqtts://127.0.0.5:8883");
        Files.writeString(dir.resolve("imprint.yaml"), "aws:\n  enabled: true\nhub:\n  inflightWindow: 7\n");
        ImprintConfig.Hub aws = ConfigLoader.load(dir, Map.of()).aws();
        assertThat(aws.name()).isEqualTo("aws");
        assertThat(aws.mqtt()).isEqualTo("mqtts://127.0.0.5:8883");
        assertThat(aws.limits().inflightWindow()).isEqualTo(7);
        assertThat(ConfigLoader.load(dir, Map.of("IMPRINT_AWS_ENABLED", "false")).aws()).isNull();
        assertThat(ConfigLoader.load(dir, Map.of("IMPRINT_AWS_ADDRESS", "127.0.9.5", "IMPRINT_AWS_PORT", "9883")).aws().mqtt())
                .isEqualTo("mqtts://127.0.9.5:9883");
    }

    @Test
    void the_template_of_the_default_enrollment_is_default_unless_configured() throws Exception {
        assertThat(ConfigLoader.load(dir, Map.of()).awsTemplate()).isEqualTo("default");
        Files.writeString(dir.resolve("imprint.yaml"), "aws:\n  template: fleet-1\n");
        assertThat(ConfigLoader.load(dir, Map.of()).awsTemplate()).isEqualTo("fleet-1");
        assertThat(ConfigLoader.load(dir, Map.of("IMPRINT_AWS_TEMPLATE", "line_2")).awsTemplate()).isEqualTo("line_2");
        // a topic level of $aws/provisioning-templates/<name>/provision/json: no '/', '+', '#', at most 36 characters
        for (String bad : new String[] {"a/b", "+", "#", "", "x".repeat(37)}) {
            assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_AWS_TEMPLATE", bad))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("aws.template (env IMPRINT_AWS_TEMPLATE)");
        }
    }

    @Test
    void a_hub_named_aws_or_on_the_same_listener_is_a_problem() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_AWS_ENABLED", "true", "IMPRINT_HUBS", "aws=127.0.9.6:8883")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'aws' is the AWS endpoint's");
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of("IMPRINT_AWS_ENABLED", "true", "IMPRINT_HUBS", "hub-1=127.0.0.5:8883")))
                .isInstanceOf(ConfigException.class);
    }
}
