package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM loading with keys made by the real openssl tool, proven by a TLS handshake. */
class TlsContextsTest {

    @TempDir
    Path dir;

    private void openssl(final String... args) throws Exception {
        final List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static String handshake(final SSLContext server) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
            final CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    TlsContexts.restrict(s);
                    s.startHandshake();
                    return s.getSession().getProtocol();
                } catch (final IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            final SSLContext client = OpportunisticTls.context();
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())) {
                c.startHandshake();
                c.getOutputStream().flush();
            }
            return accepted.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldLoadPkcs8RsaKeyAndCertificate() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1",
                "-subj", "/CN=localhost");
        assertThat(Files.readString(dir.resolve("key.pem"))).contains("BEGIN PRIVATE KEY");
        assertThat(handshake(TlsContexts.fromPem(dir.resolve("cert.pem"), dir.resolve("key.pem")))).isIn("TLSv1.3", "TLSv1.2");
    }

    @Test
    void shouldLoadPkcs1RsaKey() throws Exception {
        openssl("genrsa", "-traditional", "-out", "rsa.pem", "2048");
        openssl("req", "-new", "-x509", "-key", "rsa.pem", "-out", "rsa-cert.pem", "-days", "1", "-subj", "/CN=localhost");
        assertThat(Files.readString(dir.resolve("rsa.pem"))).contains("BEGIN RSA PRIVATE KEY");
        assertThat(handshake(TlsContexts.fromPem(dir.resolve("rsa-cert.pem"), dir.resolve("rsa.pem")))).startsWith("TLSv1.");
    }

    @Test
    void shouldLoadSec1EcKey() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem");
        openssl("req", "-new", "-x509", "-key", "ec.pem", "-out", "ec-cert.pem", "-days", "1", "-subj", "/CN=localhost");
        assertThat(Files.readString(dir.resolve("ec.pem"))).contains("BEGIN EC PRIVATE KEY");
        assertThat(handshake(TlsContexts.fromPem(dir.resolve("ec-cert.pem"), dir.resolve("ec.pem")))).startsWith("TLSv1.");
    }

    @Test
    void shouldServeWithAFreshSelfSignedCertificate() throws Exception {
        assertThat(handshake(TlsContexts.selfSigned("mx.example.test"))).isIn("TLSv1.3", "TLSv1.2");
    }

    @Test
    void shouldRejectFilesWithoutCertificateOrKey() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1",
                "-subj", "/CN=localhost");
        assertThatThrownBy(() -> TlsContexts.fromPem(dir.resolve("empty.pem"), dir.resolve("key.pem")))
                .hasMessageContaining("no certificate");
        assertThatThrownBy(() -> TlsContexts.fromPem(dir.resolve("cert.pem"), dir.resolve("empty.pem")))
                .hasMessageContaining("no unencrypted private key");
    }
}
