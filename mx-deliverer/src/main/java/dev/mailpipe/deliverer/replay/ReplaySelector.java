package dev.mailpipe.deliverer.replay;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which records a replay takes as candidates (pure, no I/O): a record timestamp in the window and
 * every filter given (null = any). Emails on the DLT are matched by their fields and the DLT's
 * reason header, events by their type and fields.
 *
 * @param window      record timestamps to take
 * @param apiUser     only this account (API user)
 * @param label       only this label id
 * @param domain      only this recipient domain (case-insensitive)
 * @param bounceClass only bounced events of this class (events only)
 * @param status      only outcomes whose enhanced status code starts with these components
 *                    ({@code 5.1} takes 5.1.1 and 5.1.10, not 5.10.1)
 * @param reason      only outcomes whose reason contains this text (case-insensitive)
 * @param task        only emails of this address-list task (maillistTaskId)
 * @param ids         only these emailIds or messageIds ({@code --ids-file}); null for all
 * @param eventTypes  event types {@link #selectsEvent} takes
 */
public record ReplaySelector(TimeWindow window, String apiUser, String label, String domain, BounceClass bounceClass,
        String status, String reason, String task, Ids ids, Set<EventType> eventTypes) {

    /** A set of ids, held however its owner likes (see {@link SelectedEmails}). */
    @FunctionalInterface
    public interface Ids {
        boolean contains(String id);
    }

    private static final Pattern STATUS = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
    private static final Pattern STATUS_PREFIX = Pattern.compile("[245](\\.\\d{1,3}){0,2}");

    public ReplaySelector {
        domain = domain == null ? null : domain.toLowerCase(Locale.ROOT);
        reason = reason == null ? null : reason.toLowerCase(Locale.ROOT);
        if (status != null && !STATUS_PREFIX.matcher(status).matches()) {
            throw new IllegalArgumentException("--status: an enhanced status code or its start, like 5.1.1, 5.7 or 4: '"
                    + status + "'");
        }
        eventTypes = Set.copyOf(eventTypes);
    }

    /** Only the window, API user and domain (the filters of the first replay). */
    public ReplaySelector(final TimeWindow window, final String apiUser, final String domain,
            final Set<EventType> eventTypes) {
        this(window, apiUser, null, domain, null, null, null, null, null, eventTypes);
    }

    /** A DLT record without a reason header. */
    public boolean selectsEmail(final long recordTimestamp, final OutboundEmail email) {
        return selectsEmail(recordTimestamp, email, null);
    }

    /**
     * A DLT record: in the window and matching the filters; {@code dltReason} is its
     * {@code mailpipe.dlt.reason} header ({@code expired: … last: 451 4.7.1 …}), for status and reason.
     */
    public boolean selectsEmail(final long recordTimestamp, final OutboundEmail email, final String dltReason) {
        return window.contains(recordTimestamp) && bounceClass == null
                && equalsOrAny(apiUser, email.getApiUser()) && equalsOrAny(label, email.getLabel())
                && domainMatches(email.getRecipientDomain()) && equalsOrAny(task, email.getMailListTaskId())
                && statusMatches(statusIn(dltReason)) && reasonMatches(dltReason)
                && idsMatch(email.getEmailId(), email.getMessageId());
    }

    /** A delivery event: one of the types, in the window, about one email, matching the filters. */
    public boolean selectsEvent(final long recordTimestamp, final DeliveryEvent event) {
        return eventTypes.contains(event.getType()) && event.getEmailId() != null
                && window.contains(recordTimestamp) && equalsOrAny(apiUser, event.getApiUser())
                && equalsOrAny(label, event.getLabel()) && domainMatches(domainOf(event.getRecipient()))
                && equalsOrAny(task, event.getMailListTaskId())
                && (bounceClass == null || bounceClass == event.getBounceClass())
                && statusMatches(statusOf(event)) && reasonMatches(event.getReason())
                && idsMatch(event.getEmailId(), event.getMessageId());
    }

    /** The enhanced status code of an event: its remote reply's, else the first one in its reason. */
    static String statusOf(final DeliveryEvent event) {
        if (event.getRemoteReply() != null && event.getRemoteReply().getEnhancedStatus() != null
                && !event.getRemoteReply().getEnhancedStatus().isBlank()) {
            return event.getRemoteReply().getEnhancedStatus();
        }
        return statusIn(event.getReason());
    }

    /** The first enhanced status code (x.y.z, class 2, 4 or 5) in a text, or null. */
    static String statusIn(final String text) {
        if (text == null) {
            return null;
        }
        final Matcher m = STATUS.matcher(text);
        return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : null;
    }

    /** Whether {@code code} starts with the components of {@code prefix}: whole components, no leading zeros. */
    static boolean statusStartsWith(final String code, final String prefix) {
        if (code == null) {
            return false;
        }
        final String[] c = code.split("\\.");
        final String[] p = prefix.split("\\.");
        if (p.length > c.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (Integer.parseInt(p[i]) != Integer.parseInt(c[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean statusMatches(final String code) {
        return status == null || statusStartsWith(code, status);
    }

    private boolean reasonMatches(final String text) {
        return reason == null || (text != null && text.toLowerCase(Locale.ROOT).contains(reason));
    }

    private boolean idsMatch(final String emailId, final String messageId) {
        return ids == null || ids.contains(emailId) || (messageId != null && ids.contains(messageId));
    }

    private static boolean equalsOrAny(final String wanted, final String value) {
        return wanted == null || wanted.equals(value);
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
