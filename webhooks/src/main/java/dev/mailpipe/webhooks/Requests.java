package dev.mailpipe.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.schemas.Webhook;
import dev.mailpipe.webhooks.core.EventFields;
import dev.mailpipe.webhooks.core.Signature;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The HTTP request of one post: a form post of one event as SendCloud sends it, or a JSON array
 * of events signed in the {@code X-Mailpipe-Timestamp}, {@code X-Mailpipe-Token} and
 * {@code X-Mailpipe-Signature} headers. Pure apart from the random token.
 */
record Requests(String contentType, Map<String, String> headers, byte[] body) {

    static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";
    static final String TIMESTAMP_HEADER = "X-Mailpipe-Timestamp";
    static final String TOKEN_HEADER = "X-Mailpipe-Token";
    static final String SIGNATURE_HEADER = "X-Mailpipe-Signature";
    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

    static Requests form(final Webhook hook, final Delivery d) {
        final Map<String, String> fields = EventFields.signed(EventFields.of(d.eventName(), d.event()), hook.getAppKey(),
                Signature.newToken());
        return new Requests(FORM, Map.of(), EventFields.formEncode(fields).getBytes(StandardCharsets.UTF_8));
    }

    static Requests jsonBatch(final Webhook hook, final List<Delivery> batch, final long now) {
        final List<Map<String, String>> events = batch.stream().map(d -> EventFields.of(d.eventName(), d.event())).toList();
        final byte[] body;
        try {
            body = JSON_MAPPER.writeValueAsBytes(events);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot write events as JSON", e);
        }
        final String token = Signature.newToken();
        return new Requests(JSON, Map.of(TIMESTAMP_HEADER, String.valueOf(now), TOKEN_HEADER, token,
                SIGNATURE_HEADER, Signature.signBody(hook.getAppKey(), now, token, body)), body);
    }
}
