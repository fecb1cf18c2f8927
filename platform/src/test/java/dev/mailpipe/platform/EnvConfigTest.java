package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
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

    private static final ConfigDef DEF = CommonConfigs.defineTopics(CommonConfigs.defineHttp(
            CommonConfigs.defineKafka(new ConfigDef()), "0.0.0.0", 8081))
            .define("smtp.port", ConfigDef.Type.INT, 2525, Validators.port(), ConfigDef.Importance.HIGH, "port");

    @Test
    void shouldNameTheEnvironmentVariableOfAnInvalidValue() {
        assertThatThrownBy(() -> EnvConfig.load(Map.of("MAILPIPE_SMTP_PORT", "abc"), v -> new AbstractConfig(DEF, v)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("smtp.port")
                .hasMessageEndingWith("(environment variable MAILPIPE_SMTP_PORT)");
        assertThatThrownBy(() -> EnvConfig.load(Map.of("KAFKA_BOOTSTRAP_SERVERS", "nohost"),
                v -> new AbstractConfig(DEF, v)))
                .hasMessageEndingWith("(environment variable KAFKA_BOOTSTRAP_SERVERS)");
        assertThatThrownBy(() -> EnvConfig.load(Map.of("MAILPIPE_HTTP_PORT", "-2"), v -> new AbstractConfig(DEF, v)))
                .hasMessageEndingWith("(environment variable MAILPIPE_HTTP_PORT)");
    }

    @Test
    void shouldLeaveMessagesThatNameTheVariableAlready() {
        final String message = "MAILPIPE_SMTP_PORT: Invalid value abc for configuration smtp.port: Not a number";
        assertThat(EnvConfig.withVariable(message)).isEqualTo(message);
        assertThat(EnvConfig.withVariable("Missing required configuration \"web.port\" which has no default value."))
                .endsWith("(environment variable MAILPIPE_WEB_PORT)");
    }

    @Test
    void shouldNameUnknownMailpipeVariablesWithTheClosestKnownOne(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("mailpipe.properties");
        Files.writeString(file, "smtp.port=25\nsmtp.prot=26\n");
        final var definitions = java.util.List.of(AppConfigDef.of("ingest", DEF),
                AppConfigDef.of("expander", new ConfigDef(), "expander.streams."));
        assertThat(EnvConfig.unknownSettings(Map.of(
                "MAILPIPE_SMTP_PROT", "2525",
                "MAILPIPE_SMTP_PORT", "2525",
                "MAILPIPE_EXPANDER_STREAMS_COMMIT_INTERVAL_MS", "50",
                "MAILPIPE_JAVA_OPTS", "-Xmx1g",
                "MAILPIPE_NOTHING_LIKE_IT", "x",
                "MAILPIPE_CONFIG_FILE", file.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "HOME", "/root"), definitions)).containsExactly(
                "MAILPIPE_NOTHING_LIKE_IT is not a mailpipe setting and is ignored",
                "MAILPIPE_SMTP_PROT is not a mailpipe setting and is ignored (did you mean MAILPIPE_SMTP_PORT?)",
                "smtp.prot in " + file + " is not a mailpipe setting and is ignored (did you mean smtp.port?)");
    }

    @Test
    void shouldRewriteTheMarkedTablesOnly() {
        final String readme = "# x\n<!-- config: ingest -->\nstale\n<!-- /config -->\ntext\n"
                + "<!-- config: other -->\nkept\n<!-- /config -->\n";
        final String rewritten = ConfigDocs.rewrite(readme, java.util.List.of(AppConfigDef.of("ingest", DEF)));
        assertThat(rewritten)
                .startsWith("# x\n<!-- config: ingest -->\n| env variable | key | default | meaning |\n")
                .contains("| `KAFKA_BOOTSTRAP_SERVERS` | `bootstrap.servers` | `localhost:9092` | "
                        + CommonConfigs.BOOTSTRAP_SERVERS_DOC + " |\n")
                .contains("| `MAILPIPE_HTTP_PORT` | `http.port` | `8081` |")
                .contains("| `MAILPIPE_SMTP_PORT` | `smtp.port` | `2525` | port |\n<!-- /config -->\ntext\n")
                .endsWith("<!-- config: other -->\nkept\n<!-- /config -->\n")
                .doesNotContain("stale");
        assertThat(ConfigDocs.rewrite(rewritten, java.util.List.of(AppConfigDef.of("ingest", DEF))))
                .isEqualTo(rewritten);
        assertThat(ConfigDocs.sections(readme)).containsExactly("ingest", "other");
    }
}
