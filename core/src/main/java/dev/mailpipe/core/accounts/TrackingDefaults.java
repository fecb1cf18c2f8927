package dev.mailpipe.core.accounts;

/**
 * An account's default tracking filters and its unsubscribe footer text, carried on each
 * submission so the expander can merge a message's X-SMTPAPI {@code filters} over them without
 * reading the accounts itself.
 *
 * @param unsubscribeFooterText the footer subscription tracking appends; null = the expander's default
 */
public record TrackingDefaults(boolean subscriptionTracking, boolean openTracking, boolean clickTracking,
        String unsubscribeFooterText) {

    /** Filters only: the footer is the expander's default. */
    public TrackingDefaults(final boolean subscriptionTracking, final boolean openTracking,
            final boolean clickTracking) {
        this(subscriptionTracking, openTracking, clickTracking, null);
    }
}
