package dev.mailpipe.testsupport;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The webhook receiver of {@code examples/webhook_receiver.py} as a separate Python process: it
 * checks every post's signature with the verify function of SendCloud's documentation and
 * reports what it received. Start with {@link #start}; add app keys with {@link #addKey}.
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final String host;
    private final int port;
    private final Path keys;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebhookReceiver(final Process process, final String host, final int port, final Path keys) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.keys = keys;
    }

    /**
     * Starts the receiver on {@code host} (any free port).
     *
     * @param script     path of examples/webhook_receiver.py from the module's directory
     * @param failFirst  posts of each eventId answered 500 before it accepts one
     */
    public static WebhookReceiver start(final Path script, final String host, final int failFirst) {
        try {
            final Path keys = Files.createTempFile("webhook-keys", ".txt");
            final Process process = new ProcessBuilder(List.of("python3", script.toString(), "--key-file",
                    keys.toString(), "--host", host, "--fail-first", String.valueOf(failFirst)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            final String line = out.readLine();
            if (line == null || !line.startsWith("port=")) {
                process.destroyForcibly();
                throw new IllegalStateException("webhook receiver did not start: " + line);
            }
            return new WebhookReceiver(process, host, Integer.parseInt(line.substring(5).strip()), keys);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(final String path) {
        return "http://" + host + ":" + port + path;
    }

    public int port() {
        return port;
    }

    /** Lets the receiver verify signatures made with {@code appKey}. */
    public void addKey(final String appKey) {
        try {
            Files.writeString(keys, appKey + "\n", StandardOpenOption.APPEND);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every post received so far, one map per event: its fields plus verified, status and batch. */
    public List<Map<String, Object>> posts() {
        try {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url("/events"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readValue(response.body(), new TypeReference<List<Map<String, Object>>>() { });
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The posts the receiver accepted (verified, answered 200). */
    public List<Map<String, Object>> accepted() {
        final List<Map<String, Object>> ok = new ArrayList<>();
        for (final Map<String, Object> p : posts()) {
            if (Boolean.TRUE.equals(p.get("verified")) && Integer.valueOf(200).equals(p.get("status"))) {
                ok.add(p);
            }
        }
        return ok;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(keys);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final IOException e) {
            // temp file
        }
    }
}
