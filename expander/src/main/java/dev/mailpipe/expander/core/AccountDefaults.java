package dev.mailpipe.expander.core;

import dev.mailpipe.schemas.TrackingFilters;

/**
 * The tracking settings an account has unless a submission's X-SMTPAPI {@code filters} override
 * them. Accounts have no stored settings yet, so {@link #allOff()} is what the app uses.
 */
@FunctionalInterface
public interface AccountDefaults {

    TrackingFilters filtersOf(String apiUser);

    /** Every tracking filter off, for every account. */
    static AccountDefaults allOff() {
        final TrackingFilters off = TrackingFilters.newBuilder().build();
        return apiUser -> off;
    }
}
