package dev.mailpipe.core.accounts;

/** Checks an account's key. Implementations must compare in constant time. */
@FunctionalInterface
public interface Authenticator {

    /** True when {@code apiUser} exists, is enabled, and {@code apiKey} is its key. */
    boolean verify(String apiUser, String apiKey);

    /**
     * The account's current default tracking filters, or null when the account is unknown or has
     * none (all off). Must not do I/O: the session calls it for every accepted message.
     */
    default TrackingDefaults trackingDefaults(final String apiUser) {
        return null;
    }
}
