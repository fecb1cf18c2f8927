package dev.mailpipe.core.accounts;

/**
 * An account's default tracking filters, carried on each submission so the expander can merge a
 * message's X-SMTPAPI {@code filters} over them without reading the accounts itself.
 */
public record TrackingDefaults(boolean subscriptionTracking, boolean openTracking, boolean clickTracking) {
}
