package dev.mailpipe.platform.queue;

import dev.mailpipe.core.accounts.TrackingDefaults;
import java.time.Instant;
import java.util.List;

/**
 * One accepted message, ready to be queued: the envelope, who sent it, and the content with the
 * Received header already prepended.
 *
 * @param accountFilters the account's default tracking filters when the message was accepted, or
 *                       null (all off)
 * @param smtputf8       MAIL FROM carried SMTPUTF8 (RFC 6531): addresses may be UTF-8
 * @param source         the entry point: {@link #SMTP} or {@link #API}
 */
public record Submission(String messageId, String apiUser, String label, String mailFrom, List<String> recipients,
        Instant receivedAt, String clientAddress, String clientHelo, String tlsCipher, byte[] content,
        TrackingDefaults accountFilters, boolean smtputf8, String source) {

    public static final String SMTP = "smtp";
    public static final String API = "api";

    public Submission {
        recipients = List.copyOf(recipients);
        if (!SMTP.equals(source) && !API.equals(source)) {
            throw new IllegalArgumentException("source must be smtp or api: " + source);
        }
    }
}
