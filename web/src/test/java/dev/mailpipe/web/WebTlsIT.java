package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.core.tracking.TrackingKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MAILPIPE_WEB_TLS_CERT/_KEY: the public endpoints speak HTTPS with a certificate made by the real
 * openssl tool, checked by curl (against that certificate as CA) and Python requests; plain HTTP
 * to the port gets no answer; half a setting or an unusable key stops the start, naming the variables.
 */
class WebTlsIT {

    private static final String SECRET = TestTokens.newSecret("k1");

    @TempDir
    Path dir;

    @Test
    void theWebPortSpeaksHttpsWithTheGivenCertificate() throws Exception {
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        final int dead;
        try (ServerSocket unused = new ServerSocket(0)) {
            dead = unused.getLocalPort();
        }
        final WebApp web = WebApp.serve(new WebConfig(Map.of(
                "bootstrap.servers", "127.0.0.1:" + dead,
                "web.host", "127.0.0.1",
                "web.port", "0",
                "web.tls.cert", dir.resolve("cert.pem").toString(),
                "web.tls.key", dir.resolve("key.pem").toString(),
                "tracking.secret", SECRET)), new SimpleMeterRegistry(), WebApp.producer("127.0.0.1:" + dead),
                Clock.systemUTC());
        try {
            assertThat(web.publicUrl()).isEqualTo("https://127.0.0.1:" + web.port());
            final String click = web.publicUrl() + "/c/" + TestTokens.sign(SECRET,
                    TestTokens.token(TrackingKind.CLICK, "tls@example.org", "https://example.com/landing"));
            // curl verifies the server against the certificate itself as the CA
            final String curl = run(dir, "curl", "-sS", "--cacert", "cert.pem", "-o", "/dev/null",
                    "-w", "%{http_code} %{redirect_url} %{ssl_verify_result}", click);
            assertThat(curl).isEqualTo("302 https://example.com/landing 0");
            final String python = run(dir, "/usr/bin/python3", "-c", String.join("\n",
                    "import requests, sys, ssl",
                    "r = requests.get(sys.argv[1], verify='cert.pem', allow_redirects=False, timeout=20)",
                    "print(r.status_code, r.headers['Location'])"), click);
            assertThat(python).isEqualTo("302 https://example.com/landing");
            // TLS 1.0 is refused (only 1.2 and 1.3)
            final Process old = new ProcessBuilder("curl", "-sS", "--cacert", "cert.pem", "--tlsv1.0", "--tls-max", "1.1",
                    "-o", "/dev/null", click).directory(dir.toFile()).redirectErrorStream(true).start();
            old.getInputStream().readAllBytes();
            assertThat(old.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(old.exitValue()).isNotZero();
            // plain HTTP to the TLS port is not served
            final Process plain = new ProcessBuilder("curl", "-sS", "--max-time", "3", "-o", "/dev/null", "-w",
                    "%{http_code}", "http://127.0.0.1:" + web.port() + "/o/x").redirectErrorStream(true).start();
            final String plainOut = new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(plain.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(plainOut).doesNotStartWith("404").doesNotStartWith("200");
        } finally {
            web.close();
        }
    }

    @Test
    void halfATlsSettingOrAnUnusableKeyStopsTheStart() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> new WebConfig(Map.of("tracking.secret", SECRET,
                "web.tls.cert", dir.resolve("empty.pem").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_WEB_TLS_CERT").hasMessageContaining("MAILPIPE_WEB_TLS_KEY");
        final WebConfig unusable = new WebConfig(Map.of("tracking.secret", SECRET,
                "web.tls.cert", dir.resolve("empty.pem").toString(), "web.tls.key", dir.resolve("empty.pem").toString()));
        assertThatThrownBy(unusable::tlsContext).isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_WEB_TLS_CERT").hasMessageContaining("no certificate");
    }

    private static String run(final Path dir, final String... command) throws Exception {
        final Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out.strip();
    }
}
