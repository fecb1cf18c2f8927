package dev.mailpipe.webhooks.core;

import dev.mailpipe.schemas.DeliveryEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The fields SendCloud posts for an event, in its names: {@code event}, {@code emailId},
 * {@code messageId}, {@code recipient}, {@code category} (the api_user), {@code labelId},
 * {@code mail_list_task_id}, {@code message}, {@code timestamp} (the event's time in ms) and the
 * event's own fields ({@code url}, {@code ip}, {@code explorerName}, {@code explorerVer},
 * {@code oSName}, {@code oSVer}, {@code reason}), plus mailpipe's {@code eventId} (stable: drop
 * duplicates by it) and, for bounces, {@code bounceClass}. Absent values are empty strings, as in
 * SendCloud's examples. Pure.
 */
public final class EventFields {

    private EventFields() {
    }

    /** The fields of {@code event} under SendCloud's name {@code name}, without token and signature. */
    public static Map<String, String> of(final String name, final DeliveryEvent event) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("event", name);
        f.put("eventId", event.getEventId());
        f.put("emailId", orEmpty(event.getEmailId()));
        f.put("messageId", event.getMessageId());
        f.put("recipient", orEmpty(event.getRecipient()));
        f.put("category", event.getApiUser());
        f.put("labelId", orEmpty(event.getLabel()));
        f.put("mail_list_task_id", orEmpty(event.getMailListTaskId()));
        f.put("message", SendCloudEvents.messageOf(name));
        f.put("timestamp", String.valueOf(event.getTimestamp().toEpochMilli()));
        switch (name) {
            case "open", "click", "unsubscribe" -> {
                if (name.equals("click")) {
                    f.put("url", orEmpty(event.getUrl()));
                }
                f.put("ip", orEmpty(event.getIp()));
                f.put("explorerName", orEmpty(event.getExplorerName()));
                f.put("explorerVer", orEmpty(event.getExplorerVer()));
                f.put("oSName", orEmpty(event.getOsName()));
                f.put("oSVer", orEmpty(event.getOsVer()));
            }
            case "bounce", "invalid", "deferred", "expired", "dropped" -> {
                f.put("reason", orEmpty(event.getReason()));
                if (event.getBounceClass() != null) {
                    f.put("bounceClass", event.getBounceClass().name());
                }
            }
            default -> { }
        }
        return f;
    }

    /** The fields of one form post: the event's fields, then {@code token} and {@code signature}. */
    public static Map<String, String> signed(final Map<String, String> fields, final String appKey, final String token) {
        final Map<String, String> f = new LinkedHashMap<>(fields);
        f.put("token", token);
        f.put("signature", Signature.sign(appKey, Long.parseLong(fields.get("timestamp")), token));
        return f;
    }

    /** {@code application/x-www-form-urlencoded} of {@code fields} in UTF-8. */
    public static String formEncode(final Map<String, String> fields) {
        final StringJoiner body = new StringJoiner("&");
        fields.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return body.toString();
    }

    private static String orEmpty(final String s) {
        return s == null ? "" : s;
    }
}
