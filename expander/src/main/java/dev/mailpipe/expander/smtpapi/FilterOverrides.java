package dev.mailpipe.expander.smtpapi;

import dev.mailpipe.schemas.TrackingFilters;
import java.util.Optional;

/**
 * The tracking filters a submission sets explicitly; an empty value keeps the account's default.
 */
public record FilterOverrides(Optional<Boolean> subscriptionTracking, Optional<Boolean> openTracking,
        Optional<Boolean> clickTracking) {

    public static final FilterOverrides NONE = new FilterOverrides(Optional.empty(), Optional.empty(), Optional.empty());

    /** The account's defaults with this submission's explicit settings on top. */
    public TrackingFilters mergeOver(final TrackingFilters defaults) {
        return TrackingFilters.newBuilder()
                .setSubscriptionTracking(subscriptionTracking.orElse(defaults.getSubscriptionTracking()))
                .setOpenTracking(openTracking.orElse(defaults.getOpenTracking()))
                .setClickTracking(clickTracking.orElse(defaults.getClickTracking()))
                .build();
    }
}
