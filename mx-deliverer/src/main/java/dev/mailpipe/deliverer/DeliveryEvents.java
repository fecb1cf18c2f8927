package dev.mailpipe.deliverer;

import dev.mailpipe.core.events.EventIds;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RemoteReply;
import java.time.Instant;
import java.util.HashMap;

/** Builds the delivery event for an attempt's outcome (pure). */
final class DeliveryEvents {

    private DeliveryEvents() {
    }

    static DeliveryEvent of(final OutboundEmail email, final EventType type, final Outcome outcome,
            final int attempt, final String reason, final Instant now) {
        return of(email, type, outcome, attempt, reason, now, null);
    }

    /**
     * @param replayId the replay that re-sent the email ({@code mailpipe.replay.id} on its record), or null.
     *                 It is part of the eventId: a replay starts again at attempt 1, and its outcomes
     *                 are new events, not duplicates of the original ones
     */
    static DeliveryEvent of(final OutboundEmail email, final EventType type, final Outcome outcome,
            final int attempt, final String reason, final Instant now, final String replayId) {
        final DeliveryEvent.Builder b = DeliveryEvent.newBuilder()
                .setType(type)
                .setEventId(EventIds.of(type.name(), replayId == null ? email.getEmailId()
                        : email.getEmailId() + "\nreplay " + replayId, attempt))
                .setReplayId(replayId)
                .setMessageId(email.getMessageId())
                .setEmailId(email.getEmailId())
                .setApiUser(email.getApiUser())
                .setLabel(email.getLabel())
                .setRecipient(email.getRecipient())
                .setMailListTaskId(email.getMailListTaskId())
                .setInternetMessageId(email.getInternetMessageId())
                .setTimestamp(now)
                .setAttempt(attempt)
                .setReason(reason)
                .setCustomHeaders(new HashMap<>(email.getCustomHeaders()));
        if (outcome != null) {
            b.setMxHost(outcome.mxHost());
            if (outcome.remote()) {
                b.setRemoteReply(RemoteReply.newBuilder()
                        .setCode(outcome.reply().code())
                        .setEnhancedStatus(outcome.reply().enhancedStatus())
                        .setText(outcome.reply().text())
                        .build());
            }
        }
        return b.build();
    }

    /** The human-readable reason of an outcome: its reply as text, with the status code. */
    static String reasonOf(final Outcome outcome) {
        return outcome.reply().toString();
    }
}
