package dev.mailpipe.deliverer.queue;

import java.time.Instant;

/**
 * One email waiting in a retry topic, as its record says: where it is ({@code topic}, the stage),
 * where it goes ({@code domain}, {@code mxHost} of the attempt that deferred, null when no host was
 * reached or the record does not say), whose it is ({@code account}), since when it has been tried
 * ({@code firstAttempt}), when it was deferred last ({@code deferredAt}, the record's timestamp) and
 * why ({@code lastError}, null when unknown).
 */
public record DeferredEmail(String topic, String emailId, String domain, String mxHost, String account,
        Instant firstAttempt, Instant deferredAt, String lastError) {

    /** This email with the MX host and error of its latest deferred event, where the record had none. */
    public DeferredEmail orFrom(final String eventMxHost, final String eventError) {
        return new DeferredEmail(topic, emailId, domain, mxHost != null ? mxHost : eventMxHost, account,
                firstAttempt, deferredAt, lastError != null ? lastError : eventError);
    }
}
