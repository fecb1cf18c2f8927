package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class WebConfigTest {

    private static final String SECRET = TestTokens.newSecret("k1");

    @Test
    void theTrackingSecretIsRequiredAndNamedByItsVariable() {
        assertThatThrownBy(() -> WebConfig.fromEnvironment(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_TRACKING_SECRET");
        assertThatThrownBy(() -> WebConfig.fromEnvironment(Map.of("MAILPIPE_TRACKING_SECRET", "k1:c2hvcnQ=")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("shorter than 32 bytes")
                .hasMessageNotContaining("c2hvcnQ");
    }

    @Test
    void publicUrlDefaultsToTheWebPortAndMustBeHttp() {
        final WebConfig defaults = WebConfig.fromEnvironment(Map.of("MAILPIPE_TRACKING_SECRET", SECRET,
                "MAILPIPE_WEB_PORT", "9090"));
        assertThat(defaults.publicUrl(0)).isEqualTo("http://127.0.0.1:9090");
        assertThat(defaults.publicUrl(41234)).isEqualTo("http://127.0.0.1:41234");
        assertThat(WebConfig.fromEnvironment(Map.of("MAILPIPE_TRACKING_SECRET", SECRET,
                "MAILPIPE_PUBLIC_URL", "https://t.example.com/track/")).publicUrl(1)).isEqualTo(
                "https://t.example.com/track");
        assertThatThrownBy(() -> WebConfig.fromEnvironment(Map.of("MAILPIPE_TRACKING_SECRET", SECRET,
                "MAILPIPE_PUBLIC_URL", "ftp://t.example.com"))).isInstanceOf(ConfigException.class);
    }
}
