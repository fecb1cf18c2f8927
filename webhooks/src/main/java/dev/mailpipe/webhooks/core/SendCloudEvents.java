package dev.mailpipe.webhooks.core;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * SendCloud's names for mailpipe's event types: {@code delivered} is {@code deliver}, a soft bounce
 * is {@code bounce}, a hard bounce (the address does not exist) and an unprocessable submission are
 * {@code invalid}, {@code spam_report} is {@code report_spam}; mailpipe's own {@code dropped},
 * {@code deferred} and {@code expired} keep their names. Pure.
 */
public final class SendCloudEvents {

    /** Every name a webhook can subscribe to, in SendCloud's order. */
    public static final List<String> NAMES = List.of("request", "deliver", "open", "click", "unsubscribe", "bounce",
            "report_spam", "invalid", "dropped", "deferred", "expired");
    private static final Set<String> KNOWN = Set.copyOf(NAMES);

    private SendCloudEvents() {
    }

    public static boolean isKnown(final String name) {
        return KNOWN.contains(name);
    }

    /** The SendCloud name of {@code event}, or empty for a type that is not posted ({@code unknown}). */
    public static Optional<String> nameOf(final DeliveryEvent event) {
        return Optional.ofNullable(switch (event.getType()) {
            case request -> "request";
            case delivered -> "deliver";
            case deferred -> "deferred";
            case bounced -> event.getBounceClass() == BounceClass.hard ? "invalid" : "bounce";
            case expired -> "expired";
            case invalid -> "invalid";
            case dropped -> "dropped";
            case open -> "open";
            case click -> "click";
            case unsubscribe -> "unsubscribe";
            case spam_report -> "report_spam";
            default -> null;
        });
    }

    /** SendCloud's {@code message} field for an event of that name. */
    public static String messageOf(final String name) {
        return switch (name) {
            case "request" -> "successfully request";
            case "deliver" -> "Successfully delivered";
            case "open" -> "open email";
            case "click" -> "click email";
            case "unsubscribe" -> "unsubscribe email";
            case "bounce" -> "bounce email";
            case "report_spam" -> "report spam";
            case "invalid" -> "invalid email";
            case "dropped" -> "dropped email";
            case "deferred" -> "deferred email";
            case "expired" -> "expired email";
            default -> name;
        };
    }
}
