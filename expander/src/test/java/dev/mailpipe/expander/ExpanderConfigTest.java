package dev.mailpipe.expander;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ExpanderConfigTest {

    @Test
    void shouldDefaultToExactlyOnceAndTheSharedKeys() {
        final ExpanderConfig config = ExpanderConfig.fromEnvironment(Map.of());
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.applicationId()).isEqualTo("mailpipe-expander");
        assertThat(config.processingGuarantee()).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(config.threads()).isEqualTo(1);
        assertThat(config.topicPartitions()).isEqualTo(6);
        assertThat(config.topicReplicationFactor()).isEqualTo(-1);
        assertThat(config.stateDir()).startsWith(System.getProperty("java.io.tmpdir"));
        assertThat(config.hostname()).isNotBlank();
    }

    @Test
    void shouldCommitEveryFiftyMillisecondsAndPollBrieflyUnderExactlyOnce() {
        final Properties streams = ExpanderApp.streamsProperties(ExpanderConfig.fromEnvironment(Map.of()));
        assertThat(streams.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
        assertThat(streams.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(10L);
        assertThat(new StreamsConfig(streams).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
    }

    @Test
    void shouldKeepStreamsTimingDefaultsUnderAtLeastOnceAndLetOverridesWin() {
        final Properties atLeastOnce = ExpanderApp.streamsProperties(ExpanderConfig.fromEnvironment(Map.of(
                "MAILPIPE_EXPANDER_PROCESSING_GUARANTEE", "at_least_once")));
        assertThat(atLeastOnce).doesNotContainKeys(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsConfig.POLL_MS_CONFIG);
        final Properties overridden = ExpanderApp.streamsProperties(ExpanderConfig.fromEnvironment(Map.of(
                "MAILPIPE_EXPANDER_STREAMS_COMMIT_INTERVAL_MS", "200")));
        assertThat(overridden.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("200");
    }

    @Test
    void shouldReadEnvironmentVariablesAndIgnoreOtherAppsKeys() {
        final ExpanderConfig config = ExpanderConfig.fromEnvironment(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
                "MAILPIPE_EXPANDER_STATE_DIR", "/var/lib/expander",
                "MAILPIPE_EXPANDER_PROCESSING_GUARANTEE", "at_least_once",
                "MAILPIPE_EXPANDER_THREADS", "4",
                "MAILPIPE_SMTP_PORT", "2525",
                "MAILPIPE_EXPANDER_STREAMS_COMMIT_INTERVAL_MS", "50"));
        assertThat(config.bootstrapServers()).isEqualTo("broker:9093");
        assertThat(config.stateDir()).isEqualTo("/var/lib/expander");
        assertThat(config.processingGuarantee()).isEqualTo("at_least_once");
        assertThat(config.threads()).isEqualTo(4);

        final Properties streams = ExpanderApp.streamsProperties(config);
        assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");
        assertThat(streams.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(4);
        assertThat(streams.get("commit.interval.ms")).isEqualTo("50");
    }

    @Test
    void shouldRejectAnUnknownProcessingGuaranteeNamingTheVariable() {
        assertThatThrownBy(() -> ExpanderConfig.fromEnvironment(Map.of("MAILPIPE_EXPANDER_PROCESSING_GUARANTEE", "maybe")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_EXPANDER_PROCESSING_GUARANTEE");
    }

    @Test
    void shouldRejectANonNumericThreadCountNamingTheVariable() {
        assertThatThrownBy(() -> ExpanderConfig.fromEnvironment(Map.of("MAILPIPE_EXPANDER_THREADS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_EXPANDER_THREADS");
        assertThatThrownBy(() -> ExpanderConfig.fromEnvironment(Map.of("MAILPIPE_EXPANDER_THREADS", "0")))
                .hasMessageContaining("MAILPIPE_EXPANDER_THREADS");
    }

    @Test
    void shouldRejectABadBootstrapAddressNamingTheVariable() {
        assertThatThrownBy(() -> ExpanderConfig.fromEnvironment(Map.of("KAFKA_BOOTSTRAP_SERVERS", "nohost")))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void shouldTrackOnlyWithASecretAndDefaultThePublicUrlToTheWebPort() {
        assertThat(new ExpanderConfig(Map.of()).tracker()).isEmpty();
        final String secret = dev.mailpipe.core.tracking.TokenKeys.format("k1", new byte[32]);
        assertThat(new ExpanderConfig(Map.of("tracking.secret", secret, "web.port", "9191")).tracker().orElseThrow()
                .publicUrl()).isEqualTo("http://127.0.0.1:9191");
        assertThat(new ExpanderConfig(Map.of("tracking.secret", secret, "public.url", "https://t.example.com/"))
                .tracker().orElseThrow().publicUrl()).isEqualTo("https://t.example.com");
        assertThat(ExpanderConfig.fromEnvironment(Map.of("MAILPIPE_UNSUBSCRIBE_FOOTER_TEXT", "Leave",
                "MAILPIPE_EXPANDER_TRACKING_PLAIN_TEXT_LINKS", "false")).getString(ExpanderConfig.UNSUBSCRIBE_FOOTER_TEXT))
                .isEqualTo("Leave");
    }

    @Test
    void shouldRejectABadPublicUrlOrSecretNamingTheVariable() {
        final String secret = dev.mailpipe.core.tracking.TokenKeys.format("k1", new byte[32]);
        assertThatThrownBy(() -> new ExpanderConfig(Map.of("tracking.secret", secret, "public.url", "ftp://x.test"))
                .tracker()).isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_PUBLIC_URL");
        assertThatThrownBy(() -> new ExpanderConfig(Map.of("tracking.secret", "k1:short")).tracker())
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_TRACKING_SECRET");
    }
}
