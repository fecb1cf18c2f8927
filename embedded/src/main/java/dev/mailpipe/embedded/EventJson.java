package dev.mailpipe.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.RemoteReply;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a {@link DeliveryEvent} as one line of JSON (no I/O). Field order is fixed; optional
 * Avro fields that are {@code null} are <em>omitted</em> rather than written as {@code null}, so a
 * line only carries what the event says ({@code jq '.reason // empty'} reads either way).
 * {@code customHeaders} is always present (an object, possibly empty, keys sorted); {@code apiUser}
 * and {@code attempt} are always present because the schema gives them values, not nulls.
 * Non-ASCII text is written as is (UTF-8 on the wire), not {@code \\u}-escaped.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    /** One JSON object for the event, without a line break. */
    public static String render(final DeliveryEvent event) {
        final ObjectNode node = MAPPER.createObjectNode();
        node.put("type", event.getType().name());
        node.put("messageId", event.getMessageId());
        putIfPresent(node, "emailId", event.getEmailId());
        node.put("apiUser", event.getApiUser());
        putIfPresent(node, "label", event.getLabel());
        putIfPresent(node, "recipient", event.getRecipient());
        node.put("timestamp", event.getTimestamp().toString());
        node.put("attempt", event.getAttempt());
        putIfPresent(node, "mxHost", event.getMxHost());
        final RemoteReply reply = event.getRemoteReply();
        if (reply != null) {
            final ObjectNode r = node.putObject("remoteReply");
            r.put("code", reply.getCode());
            putIfPresent(r, "enhancedStatus", reply.getEnhancedStatus());
            r.put("text", reply.getText());
        }
        putIfPresent(node, "reason", event.getReason());
        if (event.getBounceClass() != null) {
            node.put("bounceClass", event.getBounceClass().name());
        }
        putIfPresent(node, "url", event.getUrl());
        putIfPresent(node, "ip", event.getIp());
        putIfPresent(node, "userAgent", event.getUserAgent());
        putIfPresent(node, "explorerName", event.getExplorerName());
        putIfPresent(node, "explorerVer", event.getExplorerVer());
        putIfPresent(node, "osName", event.getOsName());
        putIfPresent(node, "osVer", event.getOsVer());
        if (event.getMachineOpen()) {
            node.put("machineOpen", true);
        }
        putIfPresent(node, "mailListTaskId", event.getMailListTaskId());
        putIfPresent(node, "replayId", event.getReplayId());
        final ObjectNode headers = node.putObject("customHeaders");
        final Map<String, String> custom = event.getCustomHeaders();
        if (custom != null) {
            new TreeMap<>(custom).forEach(headers::put);
        }
        return write(node);
    }

    /** The line printed to stderr for a record that could not be decoded. */
    public static String error(final String message, final int partition, final long offset) {
        final ObjectNode node = MAPPER.createObjectNode();
        node.put("error", message);
        node.put("partition", partition);
        node.put("offset", offset);
        return write(node);
    }

    private static void putIfPresent(final ObjectNode node, final String field, final String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String write(final ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (final JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and numbers always serialises
        }
    }
}
