package dev.mailpipe.core.tracking;

import java.util.Map;
import java.util.Objects;

/**
 * What a tracking link knows about the email it was put into: enough to write the event without
 * looking anything up (the token is self-contained and signed, see {@link TrackingTokens}).
 *
 * @param kind           open, click or unsubscribe
 * @param emailId        the email ({@code messageId + index + '$' + recipient})
 * @param messageId      the submission
 * @param apiUser        the account
 * @param recipient      the address the email went to (unsubscribe suppresses it)
 * @param url            for {@link TrackingKind#CLICK}: the exact original URL, after substitution; else null
 * @param label          label_id or null
 * @param mailListTaskId the address-list task or null
 * @param customHeaders  SC-Custom-* headers of the submission, carried onto the event
 */
public record TrackingToken(TrackingKind kind, String emailId, String messageId, String apiUser, String recipient,
        String url, String label, String mailListTaskId, Map<String, String> customHeaders) {

    public TrackingToken {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(emailId, "emailId");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(apiUser, "apiUser");
        Objects.requireNonNull(recipient, "recipient");
        if ((kind == TrackingKind.CLICK) != (url != null)) {
            throw new IllegalArgumentException("a click token carries a url, other kinds do not");
        }
        customHeaders = customHeaders == null ? Map.of() : Map.copyOf(customHeaders);
    }

    /** The same email's token for another kind of link (url only for clicks). */
    public TrackingToken as(final TrackingKind other, final String otherUrl) {
        return new TrackingToken(other, emailId, messageId, apiUser, recipient, otherUrl, label, mailListTaskId,
                customHeaders);
    }
}
