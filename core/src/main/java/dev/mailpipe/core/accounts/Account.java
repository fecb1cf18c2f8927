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

    /**
     * The account's default tracking filters; X-SMTPAPI {@code filters} override them per message.
     *
     * @param unsubscribeFooterText the text of the footer subscription tracking appends to this
     *     account's mail (the link's text in HTML); null = the expander's default
     *     ({@code MAILPIPE_UNSUBSCRIBE_FOOTER_TEXT})
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Filters(boolean subscriptionTracking, boolean openTracking, boolean clickTracking,
            String unsubscribeFooterText) {

        public static final Filters NONE = new Filters(false, false, false);

        public Filters(final boolean subscriptionTracking, final boolean openTracking, final boolean clickTracking) {
            this(subscriptionTracking, openTracking, clickTracking, null);
        }

        public Filters withUnsubscribeFooterText(final String text) {
            return new Filters(subscriptionTracking, openTracking, clickTracking, text);
        }
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
