package dev.mailpipe.core.smtpapi;

import java.util.Optional;

/** The tracking filters a submission sets explicitly; an empty value keeps the account's default. */
public record FilterOverrides(Optional<Boolean> subscriptionTracking, Optional<Boolean> openTracking,
        Optional<Boolean> clickTracking) {

    public static final FilterOverrides NONE = new FilterOverrides(Optional.empty(), Optional.empty(), Optional.empty());
}
