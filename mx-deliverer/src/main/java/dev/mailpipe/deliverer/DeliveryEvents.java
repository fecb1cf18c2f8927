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
        final DeliveryEvent.Builder b = DeliveryEvent.newBuilder()
                .setType(type)
                .setEventId(EventIds.of(type.name(), email.getEmailId(), attempt))
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
