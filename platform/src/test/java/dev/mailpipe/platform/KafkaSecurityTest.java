package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {

    @Test
    void unsetMeansPlaintextAndAddsNothing() {
        assertThat(KafkaSecurity.clientProperties(Map.of())).isEmpty();
        assertThat(KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "plaintext"))).isEmpty();
    }

    @Test
    void scramOverTlsReadsThePasswordAndTrustsThePemCaFromMountedFiles(@TempDir final Path dir) throws Exception {
        final Path password = Files.writeString(dir.resolve("password"), "s3cr\"et\n");
        final Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        final Map<String, Object> props = KafkaSecurity.clientProperties(Map.of(
                KafkaSecurity.PROTOCOL, "SASL_SSL",
                KafkaSecurity.SASL_USERNAME, "expander",
                KafkaSecurity.SASL_PASSWORD_FILE, password.toString(),
                KafkaSecurity.SSL_TRUSTSTORE_FILE, ca.toString()));
        assertThat(props)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"expander\" password=\"s3cr\\\"et\";")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", ca.toAbsolutePath().toString());
    }

    @Test
    void pkcs12TruststoreWithPassword(@TempDir final Path dir) throws Exception {
        final Path store = Files.write(dir.resolve("ca.p12"), new byte[] {1});
        assertThat(KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "SSL",
                KafkaSecurity.SSL_TRUSTSTORE_FILE, store.toString(), KafkaSecurity.SSL_TRUSTSTORE_PASSWORD, "pw")))
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "pw")
                .doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void invalidSettingsNameTheVariable(@TempDir final Path dir) {
        assertThatThrownBy(() -> KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "TLS")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaSecurity.PROTOCOL);
        assertThatThrownBy(() -> KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "SASL_SSL",
                KafkaSecurity.SASL_PASSWORD, "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaSecurity.SASL_USERNAME);
        assertThatThrownBy(() -> KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "SASL_SSL",
                KafkaSecurity.SASL_USERNAME, "u")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaSecurity.SASL_PASSWORD_FILE);
        assertThatThrownBy(() -> KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "SSL",
                KafkaSecurity.SSL_TRUSTSTORE_FILE, dir.resolve("missing.crt").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaSecurity.SSL_TRUSTSTORE_FILE);
        assertThatThrownBy(() -> KafkaSecurity.clientProperties(Map.of(KafkaSecurity.PROTOCOL, "SASL_SSL",
                KafkaSecurity.SASL_MECHANISM, "GSSAPI", KafkaSecurity.SASL_USERNAME, "u", KafkaSecurity.SASL_PASSWORD, "p")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaSecurity.SASL_MECHANISM);
    }
}
