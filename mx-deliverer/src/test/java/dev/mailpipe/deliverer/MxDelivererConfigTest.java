package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.platform.Cidr;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class MxDelivererConfigTest {

    @Test
    void shouldDefaultToPort25AndTheSystemResolverAndRfcTimeouts() {
        final MxDelivererConfig config = MxDelivererConfig.fromEnvironment(Map.of());

        assertThat(config.getInt(MxDelivererConfig.MX_PORT)).isEqualTo(25);
        assertThat(config.getString(MxDelivererConfig.DNS)).isEmpty();
        assertThat(config.allowedNetworks()).isEmpty();
        assertThat(config.getString(MxDelivererConfig.GROUP_ID)).isEqualTo("mailpipe-mx-deliverer");
        assertThat(config.retryDelays()).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(6));
        assertThat(config.retryMaxAge()).isEqualTo(Duration.ofDays(5));
        assertThat(config.millis(MxDelivererConfig.MX_TIMEOUT_GREETING_MS)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.millis(MxDelivererConfig.MX_TIMEOUT_DATA_END_MS)).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.getString(MxDelivererConfig.BOOTSTRAP_SERVERS)).isEqualTo("localhost:9092");
    }

    @Test
    void shouldReadEnvironmentVariablesAndIgnoreOtherAppsKeys() {
        final MxDelivererConfig config = MxDelivererConfig.fromEnvironment(Map.of(
                "MAILPIPE_DNS", "127.0.0.1:5353,127.0.0.1:5354",
                "MAILPIPE_MX_PORT", "2525",
                "MAILPIPE_MX_ALLOWED_NETWORKS", "127.0.0.0/8, 10.0.0.0/8",
                "MAILPIPE_RETRY_DELAYS", "1s,2s",
                "MAILPIPE_SMTP_PORT", "2526",
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9092"));

        assertThat(config.getString(MxDelivererConfig.DNS)).isEqualTo("127.0.0.1:5353,127.0.0.1:5354");
        assertThat(config.getInt(MxDelivererConfig.MX_PORT)).isEqualTo(2525);
        assertThat(config.allowedNetworks()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("10.0.0.0/8"));
        assertThat(config.retryDelays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(config.getString(MxDelivererConfig.BOOTSTRAP_SERVERS)).isEqualTo("broker:9092");
    }

    @Test
    void shouldNameTheVariableOfAnInvalidValue() {
        assertThatThrownBy(() -> MxDelivererConfig.fromEnvironment(Map.of("MAILPIPE_MX_PORT", "99999")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_MX_PORT");
        assertThatThrownBy(() -> MxDelivererConfig.fromEnvironment(Map.of("MAILPIPE_DNS", "nameserver")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_DNS");
        assertThatThrownBy(() -> MxDelivererConfig.fromEnvironment(Map.of("MAILPIPE_MX_ALLOWED_NETWORKS", "lan")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_MX_ALLOWED_NETWORKS");
        assertThatThrownBy(() -> MxDelivererConfig.fromEnvironment(Map.of("MAILPIPE_RETRY_DELAYS", "5 minutes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_RETRY_DELAYS");
        assertThatThrownBy(() -> MxDelivererConfig.fromEnvironment(Map.of("MAILPIPE_RETRY_MAX_AGE", "forever")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_RETRY_MAX_AGE");
    }
}
