package dev.mailpipe.deliverer.replay;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import java.util.Locale;
import java.util.Set;

/**
 * Which records a replay takes (pure, no I/O): a record timestamp in the window, and optionally
 * one API user and one recipient domain. Emails are matched by their fields, events by their
 * type, apiUser and the domain of their recipient.
 *
 * @param window     record timestamps to take
 * @param apiUser    only this API user, or null for all
 * @param domain     only this recipient domain (case-insensitive), or null for all
 * @param eventTypes event types {@link #selectsEvent} takes
 */
public record ReplaySelector(TimeWindow window, String apiUser, String domain, Set<EventType> eventTypes) {

    public ReplaySelector {
        domain = domain == null ? null : domain.toLowerCase(Locale.ROOT);
        eventTypes = Set.copyOf(eventTypes);
    }

    /** A DLT record: in the window and matching the filters. */
    public boolean selectsEmail(final long recordTimestamp, final OutboundEmail email) {
        return window.contains(recordTimestamp) && userMatches(email.getApiUser())
                && domainMatches(email.getRecipientDomain());
    }

    /** A delivery event: one of the types, in the window, about one email, matching the filters. */
    public boolean selectsEvent(final long recordTimestamp, final DeliveryEvent event) {
        return eventTypes.contains(event.getType()) && event.getEmailId() != null
                && window.contains(recordTimestamp) && userMatches(event.getApiUser())
                && domainMatches(domainOf(event.getRecipient()));
    }

    private boolean userMatches(final String value) {
        return apiUser == null || apiUser.equals(value);
    }

    private boolean domainMatches(final String value) {
        return domain == null || (value != null && domain.equals(value.toLowerCase(Locale.ROOT)));
    }

    static String domainOf(final String recipient) {
        if (recipient == null) {
            return null;
        }
        final int at = recipient.lastIndexOf('@');
        return at < 0 ? null : recipient.substring(at + 1);
    }
}
