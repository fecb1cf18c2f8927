package dev.mailpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class IngestSmtpConfigTest {

    @Test
    void shouldUseDocumentedDefaults() {
        final IngestSmtpConfig config = IngestSmtpConfig.fromEnvironment(Map.of());
        assertThat(config.getInt(IngestSmtpConfig.SMTP_PORT)).isEqualTo(2525);
        assertThat(config.getString(IngestSmtpConfig.SMTP_HOST)).isEqualTo("0.0.0.0");
        assertThat(config.getString(IngestSmtpConfig.BOOTSTRAP_SERVERS)).isEqualTo("localhost:9092");
        assertThat(config.getLong(IngestSmtpConfig.SMTP_MAX_MESSAGE_BYTES)).isEqualTo(16_000_000L);
        assertThat(config.getInt(IngestSmtpConfig.SMTP_MAX_RECIPIENTS)).isEqualTo(100);
        assertThat(config.getInt(IngestSmtpConfig.RATE_LIMIT_PER_MINUTE)).isEqualTo(20_000);
        assertThat(config.getInt(IngestSmtpConfig.SMTP_TLS_PORT)).isEqualTo(-1);
        assertThat(config.getInt(IngestSmtpConfig.TOPIC_PARTITIONS)).isEqualTo(6);
        assertThat(config.getInt(IngestSmtpConfig.TOPIC_REPLICATION_FACTOR)).isEqualTo(-1);
    }

    @Test
    void shouldReadEnvironmentVariablesAndIgnoreOtherAppsKeys() {
        final IngestSmtpConfig config = IngestSmtpConfig.fromEnvironment(Map.of(
                "MAILPIPE_SMTP_PORT", "0", "MAILPIPE_API_USER", "api_user", "MAILPIPE_API_KEY", "k",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "MAILPIPE_MX_PORT", "2526", "MAILPIPE_DNS", "127.0.0.1:53",
                "MAILPIPE_INSTANCE_ID", "pod-7", "MAILPIPE_SMTP_TRUSTED_NETWORKS", "10.0.0.0/8=a,192.168.0.0/16=b"));
        assertThat(config.getInt(IngestSmtpConfig.SMTP_PORT)).isZero();
        assertThat(config.getString(IngestSmtpConfig.API_USER)).isEqualTo("api_user");
        assertThat(config.apiKey().value()).isEqualTo("k");
        assertThat(config.instanceId()).isEqualTo("pod-7");
        assertThat(config.getString(IngestSmtpConfig.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(config.getList(IngestSmtpConfig.SMTP_TRUSTED_NETWORKS)).containsExactly("10.0.0.0/8=a", "192.168.0.0/16=b");
    }

    @Test
    void shouldNameTheVariableOfAnInvalidValue() {
        assertThatThrownBy(() -> IngestSmtpConfig.fromEnvironment(Map.of("MAILPIPE_SMTP_PORT", "abc")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_SMTP_PORT");
        assertThatThrownBy(() -> IngestSmtpConfig.fromEnvironment(Map.of("MAILPIPE_SMTP_PORT", "70000")))
                .hasMessageContaining("MAILPIPE_SMTP_PORT");
        assertThatThrownBy(() -> IngestSmtpConfig.fromEnvironment(Map.of("MAILPIPE_SMTP_MAX_MESSAGE_BYTES", "99999999")))
                .hasMessageContaining("MAILPIPE_SMTP_MAX_MESSAGE_BYTES");
        assertThatThrownBy(() -> IngestSmtpConfig.fromEnvironment(Map.of("KAFKA_BOOTSTRAP_SERVERS", "nohost")))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> IngestSmtpConfig.fromEnvironment(Map.of("MAILPIPE_SMTP_EXTRA_PORTS", "25,x")))
                .hasMessageContaining("MAILPIPE_SMTP_EXTRA_PORTS");
    }

    @Test
    void shouldRequireUserAndKeyTogether() {
        assertThatThrownBy(() -> IngestSmtpConfig.fromEnvironment(Map.of("MAILPIPE_API_USER", "u")))
                .hasMessageContaining("MAILPIPE_API_USER").hasMessageContaining("MAILPIPE_API_KEY");
    }
}
