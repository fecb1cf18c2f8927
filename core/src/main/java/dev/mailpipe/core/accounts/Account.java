package dev.mailpipe.core.accounts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One api_user as stored in the compacted accounts topic (JSON value, key = apiUser).
 *
 * @param keyHash   see {@link KeyHasher}; the key itself is never stored
 * @param createdAt epoch millis
 * @param updatedAt epoch millis
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Account(String apiUser, String keyHash, boolean enabled, Filters filters, long createdAt,
        long updatedAt) {

    /** The account's default tracking filters; X-SMTPAPI {@code filters} override them per message. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Filters(boolean subscriptionTracking, boolean openTracking, boolean clickTracking) {

        public static final Filters NONE = new Filters(false, false, false);
    }

    public Account withKeyHash(final String hash, final long now) {
        return new Account(apiUser, hash, enabled, filters, createdAt, now);
    }

    public Account withEnabled(final boolean on, final long now) {
        return new Account(apiUser, keyHash, on, filters, createdAt, now);
    }

    public Account withFilters(final Filters f, final long now) {
        return new Account(apiUser, keyHash, enabled, f, createdAt, now);
    }
}
