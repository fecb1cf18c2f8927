package dev.mailpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad TLS and trusted-network settings stop ingest-smtp at start with the variable's name. */
class IngestTlsConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldRefuseToStartWithAnIncompleteOrUnreadableKey() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        final Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost").directory(dir.toFile())
                .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThatThrownBy(() -> IngestSmtpApp.start(new IngestSmtpConfig(Map.of("bootstrap.servers", "127.0.0.1:1",
                "smtp.tls.cert.file", dir.resolve("cert.pem").toString())), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_SMTP_TLS_KEY_FILE");
        assertThatThrownBy(() -> IngestSmtpApp.start(new IngestSmtpConfig(Map.of("bootstrap.servers", "127.0.0.1:1",
                "smtp.tls.cert.file", dir.resolve("cert.pem").toString(), "smtp.tls.key.file", dir.resolve("empty.pem").toString())),
                new SimpleMeterRegistry())).isInstanceOf(ConfigException.class).hasMessageContaining("no unencrypted private key");
        assertThatThrownBy(() -> IngestSmtpApp.start(new IngestSmtpConfig(Map.of("bootstrap.servers", "127.0.0.1:1",
                "smtp.trusted.networks", "10.0.0.0/8")), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_SMTP_TRUSTED_NETWORKS");
    }
}
