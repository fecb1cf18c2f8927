package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvConfigTest {

    @Test
    void shouldMapMailpipeVariablesToDottedKeys() {
        final Map<String, String> values = EnvConfig.fromEnvironment(Map.of(
                "MAILPIPE_SMTP_PORT", "2525",
                "MAILPIPE_API_USER", "u",
                "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "HOME", "/root"));
        assertThat(values).containsOnly(
                Map.entry("smtp.port", "2525"),
                Map.entry("api.user", "u"),
                Map.entry("bootstrap.servers", "k:9092"));
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheConfigFile(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("mailpipe.properties");
        Files.writeString(file, "smtp.port=25\nmx.port=2526\n");
        final Map<String, String> values = EnvConfig.fromEnvironment(Map.of(
                "MAILPIPE_CONFIG_FILE", file.toString(), "MAILPIPE_SMTP_PORT", "2525"));
        assertThat(values).containsEntry("smtp.port", "2525").containsEntry("mx.port", "2526")
                .doesNotContainKey("config.file");
    }

    @Test
    void shouldFailClearlyOnAMissingConfigFile() {
        assertThatThrownBy(() -> EnvConfig.fromEnvironment(Map.of("MAILPIPE_CONFIG_FILE", "/nonexistent/x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_CONFIG_FILE");
    }

    @Test
    void shouldNameTheVariableOfAKey() {
        assertThat(EnvConfig.variableOf("smtp.port")).isEqualTo("MAILPIPE_SMTP_PORT");
        assertThat(EnvConfig.variableOf("bootstrap.servers")).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void shouldValidateHostPort() {
        Validators.hostPort(true).ensureValid("dns", "");
        Validators.hostPort(false).ensureValid("dns", "127.0.0.1:53");
        assertThatThrownBy(() -> Validators.hostPort(false).ensureValid("dns", "127.0.0.1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> Validators.hostPort(false).ensureValid("dns", "h:99999"))
                .isInstanceOf(ConfigException.class);
    }
}
