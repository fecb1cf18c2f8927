package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class KafkaDefaultsTest {

    @Test
    void compressionDefaultsToLz4AndTakesKafkasNamesInAnyCase() {
        assertThat(KafkaDefaults.compression(Map.of())).isEqualTo("lz4");
        assertThat(KafkaDefaults.compression(Map.of(KafkaDefaults.COMPRESSION, " "))).isEqualTo("lz4");
        assertThat(KafkaDefaults.compression(Map.of(KafkaDefaults.COMPRESSION, "ZSTD"))).isEqualTo("zstd");
        assertThat(KafkaDefaults.compression(Map.of(KafkaDefaults.COMPRESSION, "none"))).isEqualTo("none");
    }

    @Test
    void anUnknownCompressionNamesTheVariable() {
        assertThatThrownBy(() -> KafkaDefaults.compression(Map.of(KafkaDefaults.COMPRESSION, "brotli")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_KAFKA_COMPRESSION=brotli")
                .hasMessageContaining("none, lz4, snappy, zstd, gzip");
    }

    @Test
    void theVariableIsTheSharedConfigKeys() {
        assertThat(EnvConfig.variableOf(CommonConfigs.KAFKA_COMPRESSION_CONFIG)).isEqualTo(KafkaDefaults.COMPRESSION);
    }

    @Test
    void everyProducerKeepsTheDurabilitySettings() {
        final Map<String, Object> producer = KafkaDefaults.producer("localhost:9092", "test");

        assertThat(producer).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsKey(ProducerConfig.COMPRESSION_TYPE_CONFIG);
        assertThat(KafkaDefaults.COMPRESSIONS).contains((String) producer.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
    }
}
