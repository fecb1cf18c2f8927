package dev.mailpipe.web;

import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.core.tracking.TrackingTokens;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.Topics;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@code GET /o/{token}} (pixel), {@code GET /c/{token}} (redirect), {@code GET|POST /u/{token}}
 * (unsubscribe page, RFC 8058 one-click). A token that does not verify, or is of another kind than
 * its path, answers 404 and records nothing. Events go to the {@link Outbox}, never blocking.
 */
final class TrackingRoutes {

    /** A transparent 1×1 GIF89a: 43 bytes. */
    static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

    static final int MAX_FORM_BYTES = 8 * 1024;
    private static final String NO_STORE = "no-store, no-cache, must-revalidate, max-age=0";

    private final TrackingTokens tokens;
    private final Outbox outbox;
    private final ClientAddress clients;
    private final Clock clock;
    private final Serializer<DeliveryEvent> events = Topics.DELIVERY_EVENTS.valueSerde().serializer();
    private final Serializer<Suppression> suppressions = Topics.SUPPRESSIONS.valueSerde().serializer();
    private final Map<TrackingKind, Counter> served = new EnumMap<>(TrackingKind.class);
    private final Map<TrackingKind, Counter> notFound = new EnumMap<>(TrackingKind.class);
    private final Counter pages;

    TrackingRoutes(final TrackingTokens tokens, final Outbox outbox, final ClientAddress clients, final Clock clock,
            final MeterRegistry registry) {
        this.tokens = tokens;
        this.clients = clients;
        this.outbox = outbox;
        this.clock = clock;
        for (final TrackingKind kind : TrackingKind.values()) {
            final String name = kind.name().toLowerCase(Locale.ROOT);
            served.put(kind, Counter.builder("mailpipe.web.requests").tag("kind", name).tag("result", "recorded")
                    .description("Tracking requests by kind and result").register(registry));
            notFound.put(kind, Counter.builder("mailpipe.web.requests").tag("kind", name).tag("result", "not_found")
                    .description("Tracking requests by kind and result").register(registry));
        }
        pages = Counter.builder("mailpipe.web.requests").tag("kind", "unsubscribe_page").tag("result", "shown")
                .description("Tracking requests by kind and result").register(registry);
    }

    void register(final HttpRouting.Builder routing) {
        routing.get("/o/{token}", this::open)
                .get("/c/{token}", this::click)
                .get("/u/{token}", this::unsubscribePage)
                .post("/u/{token}", this::unsubscribe);
    }

    private void open(final ServerRequest req, final ServerResponse res) {
        final Optional<TrackingToken> token = verify(req, TrackingKind.OPEN);
        if (token.isEmpty()) {
            notFound(res, TrackingKind.OPEN);
            return;
        }
        record(req, token.get());
        res.header(HeaderNames.CACHE_CONTROL, NO_STORE);
        res.header(HeaderNames.PRAGMA, "no-cache");
        res.header(HeaderNames.CONTENT_TYPE, "image/gif");
        res.send(PIXEL);
    }

    private void click(final ServerRequest req, final ServerResponse res) {
        final Optional<TrackingToken> token = verify(req, TrackingKind.CLICK);
        final String location = token.map(t -> safeLocation(t.url())).orElse(null);
        if (location == null) {
            notFound(res, TrackingKind.CLICK);
            return;
        }
        record(req, token.get());
        res.status(Status.FOUND_302);
        res.header(HeaderNames.LOCATION, location);
        res.header(HeaderNames.CACHE_CONTROL, NO_STORE);
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.send();
    }

    /** A page with a button; a GET changes nothing, since mail scanners prefetch links. */
    private void unsubscribePage(final ServerRequest req, final ServerResponse res) {
        final Optional<TrackingToken> token = verify(req, TrackingKind.UNSUBSCRIBE);
        if (token.isEmpty()) {
            notFound(res, TrackingKind.UNSUBSCRIBE);
            return;
        }
        pages.increment();
        final String raw = req.path().pathParameters().get("token");
        html(res, Status.OK_200, "Unsubscribe",
                "<p>Stop emails from this sender to <b>" + escape(token.get().recipient()) + "</b>?</p>"
                        // Relative action: /u/{token} also under a PUBLIC_URL with a path prefix.
                        + "<form method=\"post\" action=\"" + escape(raw) + "\">"
                        + "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                        + "<button type=\"submit\">Unsubscribe</button></form>");
    }

    /** RFC 8058 one-click ({@code List-Unsubscribe=One-Click}), also what the page's form posts. */
    private void unsubscribe(final ServerRequest req, final ServerResponse res) {
        final Optional<TrackingToken> token = verify(req, TrackingKind.UNSUBSCRIBE);
        if (token.isEmpty()) {
            notFound(res, TrackingKind.UNSUBSCRIBE);
            return;
        }
        final byte[] body = readBody(req);
        if (body == null) {
            html(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "Unsubscribe", "<p>Request too large.</p>");
            return;
        }
        final String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!isOneClick(contentType, new String(body, StandardCharsets.UTF_8))) {
            html(res, Status.BAD_REQUEST_400, "Unsubscribe",
                    "<p>Expected List-Unsubscribe=One-Click (RFC 8058).</p>");
            return;
        }
        final TrackingToken t = token.get();
        record(req, t);
        outbox.offer(new ProducerRecord<>(Topics.SUPPRESSIONS.name(), Engagement.suppressionKey(t),
                suppressions.serialize(Topics.SUPPRESSIONS.name(), Engagement.suppression(t, clock.instant()))));
        html(res, Status.OK_200, "Unsubscribed",
                "<p><b>" + escape(t.recipient()) + "</b> will receive no more emails from this sender.</p>");
    }

    private Optional<TrackingToken> verify(final ServerRequest req, final TrackingKind kind) {
        return tokens.verify(req.path().pathParameters().get("token")).filter(t -> t.kind() == kind);
    }

    private void record(final ServerRequest req, final TrackingToken token) {
        final DeliveryEvent event = Engagement.event(token, clientIp(req),
                req.headers().first(HeaderNames.USER_AGENT).orElse(null), clock.instant(),
                UUID.randomUUID().toString());
        outbox.offer(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), token.messageId(),
                events.serialize(Topics.DELIVERY_EVENTS.name(), event)));
        served.get(token.kind()).increment();
    }

    private String clientIp(final ServerRequest req) {
        return clients.of(req);
    }

    private void notFound(final ServerResponse res, final TrackingKind kind) {
        notFound.get(kind).increment();
        res.status(Status.NOT_FOUND_404);
        res.header(HeaderNames.CACHE_CONTROL, NO_STORE);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("not found\n");
    }

    private static byte[] readBody(final ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            final byte[] body = in.readNBytes(MAX_FORM_BYTES + 1);
            return body.length > MAX_FORM_BYTES ? null : body;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the body carries {@code List-Unsubscribe=One-Click}, urlencoded or multipart (RFC 8058 §3.2). */
    static boolean isOneClick(final String contentType, final String body) {
        if (contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return body.contains("name=\"List-Unsubscribe\"") && body.contains("One-Click");
        }
        final Map<String, String> form = new HashMap<>();
        for (final String pair : body.strip().split("&")) {
            final int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (final IllegalArgumentException e) {
                    return false;
                }
            }
        }
        return "One-Click".equals(form.get("List-Unsubscribe"));
    }

    /**
     * The redirect target, or null when it is not an absolute http(s) URL. Only signed URLs get here,
     * so this is a second line against an expander bug, not the open-redirect defence (the signature is).
     * Characters a Location header cannot carry are percent-encoded as UTF-8.
     */
    static String safeLocation(final String url) {
        if (url == null) {
            return null;
        }
        final StringBuilder out = new StringBuilder(url.length() + 16);
        for (final byte b : url.getBytes(StandardCharsets.UTF_8)) {
            final int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f) {
                if (c == '\r' || c == '\n' || c == 0) {
                    return null;
                }
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        final String location = out.toString();
        try {
            final URI uri = new URI(location);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getRawAuthority() == null
                    || uri.getRawAuthority().isEmpty()) {
                return null;
            }
        } catch (final URISyntaxException e) {
            return null;
        }
        return location;
    }

    private static void html(final ServerResponse res, final Status status, final String title, final String body) {
        res.status(status);
        res.header(HeaderNames.CACHE_CONTROL, NO_STORE);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'none'; form-action 'self'");
        res.send("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">"
                + "<meta name=\"viewport\" content=\"width=device-width\"><title>" + title + "</title></head><body>"
                + body + "</body></html>\n");
    }

    static String escape(final String s) {
        final StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
