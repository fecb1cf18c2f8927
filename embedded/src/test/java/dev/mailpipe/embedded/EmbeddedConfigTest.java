package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class EmbeddedConfigTest {

    @Test
    void shouldRunEveryServiceByDefaultAndOnlyTheBrokerWhenTheListIsEmpty() {
        assertThat(EmbeddedConfig.fromEnvironment(Map.of()).services()).isEqualTo(EmbeddedConfig.ALL_SERVICES);
        assertThat(EmbeddedConfig.fromEnvironment(Map.of("MAILPIPE_UP_SERVICES", "")).services()).isEmpty();
        assertThat(EmbeddedConfig.fromEnvironment(Map.of("MAILPIPE_UP_SERVICES", "expander, mx-deliverer")).services())
                .containsExactly("expander", "mx-deliverer");
    }

    @Test
    void shouldRefuseAnUnknownServiceAndNothingToRun() {
        assertThatThrownBy(() -> EmbeddedConfig.fromEnvironment(Map.of("MAILPIPE_UP_SERVICES", "expander,smtpd")))
                .hasMessageContaining("unknown service smtpd");
        assertThatThrownBy(() -> EmbeddedConfig.fromEnvironment(Map.of("MAILPIPE_UP_SERVICES", "",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")).services())
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_UP_SERVICES is empty");
    }
}
