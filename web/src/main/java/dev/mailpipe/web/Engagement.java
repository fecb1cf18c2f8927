package dev.mailpipe.web;

import dev.mailpipe.core.events.EventIds;
import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import java.time.Instant;
import java.util.HashMap;

/** Builds the records a followed tracking link writes (pure). */
final class Engagement {

    private Engagement() {
    }

    /**
     * The open, click or unsubscribe event of one request.
     *
     * @param occurrence what makes this request its own event (a random id per request); unsubscribe
     *                   ignores it: unsubscribing twice (a mail client's one-click and then the page)
     *                   is one outcome with one event id
     */
    static DeliveryEvent event(final TrackingToken token, final String ip, final String userAgentHeader,
            final Instant now, final String occurrence) {
        final EventType type = switch (token.kind()) {
            case OPEN -> EventType.open;
            case CLICK -> EventType.click;
            case UNSUBSCRIBE -> EventType.unsubscribe;
        };
        final UserAgent ua = UserAgent.parse(userAgentHeader).withMachineIfApple(ip);
        final String eventId = token.kind() == TrackingKind.UNSUBSCRIBE
                ? EventIds.of(type.name(), token.emailId(), "unsubscribe")
                : EventIds.of(type.name(), token.emailId(), occurrence);
        return DeliveryEvent.newBuilder()
                .setType(type)
                .setEventId(eventId)
                .setMessageId(token.messageId())
                .setEmailId(token.emailId())
                .setApiUser(token.apiUser())
                .setLabel(token.label())
                .setRecipient(token.recipient())
                .setMailListTaskId(token.mailListTaskId())
                .setCustomHeaders(new HashMap<>(token.customHeaders()))
                .setTimestamp(now)
                .setUrl(token.url())
                .setIp(ip)
                .setUserAgent(userAgentHeader == null ? null : truncate(userAgentHeader, 1024))
                .setExplorerName(ua.explorerName())
                .setExplorerVer(ua.explorerVer())
                .setOsName(ua.osName())
                .setOsVer(ua.osVer())
                .setMachineOpen(token.kind() == TrackingKind.OPEN && ua.machine())
                .build();
    }

    /** The suppression an unsubscribe writes: this account stops sending to this address. */
    static Suppression suppression(final TrackingToken token, final Instant now) {
        return Suppression.newBuilder()
                .setApiUser(token.apiUser())
                .setAddress(SuppressionKey.normalise(token.recipient()))
                .setReason(SuppressionReason.unsubscribe)
                .setCreatedAt(now)
                .setSource(token.emailId())
                .build();
    }

    static String suppressionKey(final TrackingToken token) {
        return SuppressionKey.of(token.apiUser(), token.recipient());
    }

    private static String truncate(final String s, final int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
