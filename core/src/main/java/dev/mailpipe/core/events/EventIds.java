package dev.mailpipe.core.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.UUID;

/**
 * Stable ids for delivery events ({@code DeliveryEvent.eventId}). An outcome that is written twice
 * — a deliverer that crashed after the remote server said 250 but before it committed, a retried
 * write — gets the same id both times, so consumers and webhook receivers can drop the duplicate.
 * The id is a name-based UUID of what identifies the outcome, never of the time it was seen.
 */
public final class EventIds {

    /** Cloned per id: {@code MessageDigest.getInstance} looks the provider up on every call. */
    private static final MessageDigest MD5 = md5();

    private EventIds() {
    }

    /**
     * The id of a pipeline outcome.
     *
     * @param type    the event type's name ({@code delivered}, {@code deferred}, ...)
     * @param subject the emailId, or the messageId for events about a whole submission
     * @param attempt the delivery attempt the outcome reports (0 when none was made)
     */
    public static String of(final String type, final String subject, final int attempt) {
        return nameBased(type.toLowerCase(Locale.ROOT) + '\n' + subject + '\n' + attempt);
    }

    /**
     * The id of an engagement event (open, click, unsubscribe): each request is its own event, so
     * the caller passes what makes it unique (e.g. the request's own random id).
     */
    public static String of(final String type, final String subject, final String occurrence) {
        return nameBased(type.toLowerCase(Locale.ROOT) + '\n' + subject + '\n' + occurrence);
    }

    /** {@link UUID#nameUUIDFromBytes} (version 3, MD5), without its provider lookup per call. */
    static String nameBased(final String name) {
        final byte[] hash;
        try {
            hash = ((MessageDigest) MD5.clone()).digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (final CloneNotSupportedException e) {
            return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
        }
        hash[6] = (byte) (hash[6] & 0x0f | 0x30); // version 3
        hash[8] = (byte) (hash[8] & 0x3f | 0x80); // IETF variant
        final ByteBuffer bits = ByteBuffer.wrap(hash);
        return new UUID(bits.getLong(), bits.getLong()).toString();
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 not supported", e); // every JDK has it
        }
    }
}
