package dev.mailpipe.deliverer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A minimal real SMTP server that offers STARTTLS with a throw-away self-signed certificate (made
 * with the JDK's keytool) and records, per message, whether it arrived over TLS and which protocol.
 */
final class StartTlsSmtpServer implements AutoCloseable {

    private final ServerSocket server;
    private final SSLContext tls;
    private final List<String> received = new CopyOnWriteArrayList<>();

    private StartTlsSmtpServer(final ServerSocket server, final SSLContext tls) {
        this.server = server;
        this.tls = tls;
        Thread.ofVirtual().start(this::accept);
    }

    static StartTlsSmtpServer start(final String address, final int port) throws Exception {
        final ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        return new StartTlsSmtpServer(server, selfSigned());
    }

    int port() {
        return server.getLocalPort();
    }

    /** One entry per accepted message: "TLSv1.3 <recipient>" or "plain <recipient>". */
    List<String> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                final Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (final IOException closed) {
                return;
            }
        }
    }

    private void serve(final Socket plain) {
        Socket socket = plain;
        try {
            BufferedReader in = reader(socket);
            OutputStream out = socket.getOutputStream();
            write(out, "220 tls.test ESMTP");
            String protocol = "plain";
            String rcpt = null;
            String line;
            while ((line = in.readLine()) != null) {
                final String upper = line.toUpperCase(java.util.Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    write(out, protocol.equals("plain") ? "250-tls.test\r\n250-STARTTLS\r\n250 PIPELINING"
                            : "250-tls.test\r\n250 PIPELINING");
                } else if (upper.equals("STARTTLS")) {
                    write(out, "220 2.0.0 go ahead");
                    final SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, null,
                            socket.getPort(), true);
                    ssl.setUseClientMode(false);
                    ssl.startHandshake();
                    protocol = ssl.getSession().getProtocol();
                    socket = ssl;
                    in = reader(ssl);
                    out = ssl.getOutputStream();
                } else if (upper.startsWith("MAIL") || upper.equals("RSET")) {
                    write(out, "250 2.0.0 ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    rcpt = line.substring(8).replaceAll("[<>]", "").strip();
                    write(out, "250 2.1.5 ok");
                } else if (upper.equals("DATA")) {
                    write(out, "354 go");
                    while (!".".equals(in.readLine())) {
                        // discard the message
                    }
                    received.add(protocol + " " + rcpt);
                    write(out, "250 2.0.0 queued");
                } else if (upper.equals("QUIT")) {
                    write(out, "221 bye");
                    break;
                } else {
                    write(out, "502 5.5.2 no");
                }
            }
        } catch (final IOException ignored) {
            // client went away
        } finally {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
    }

    private static BufferedReader reader(final Socket socket) throws IOException {
        final InputStream in = socket.getInputStream();
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static void write(final OutputStream out, final String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static SSLContext selfSigned() throws Exception {
        final Path dir = Files.createTempDirectory("starttls");
        final Path store = dir.resolve("server.p12");
        final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        final Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "smtp", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=tls.test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
