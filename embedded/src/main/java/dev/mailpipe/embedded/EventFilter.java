package dev.mailpipe.embedded;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import java.util.Set;

/**
 * Which delivery events {@code ./mailpipe events} prints: every given criterion must match; an
 * empty {@code types} set or a {@code null} id means "any".
 */
record EventFilter(Set<EventType> types, String messageId, String emailId, String apiUser) {

    EventFilter {
        types = Set.copyOf(types);
    }

    boolean test(final DeliveryEvent event) {
        return (types.isEmpty() || types.contains(event.getType()))
                && (messageId == null || messageId.equals(event.getMessageId()))
                && (emailId == null || emailId.equals(event.getEmailId()))
                && (apiUser == null || apiUser.equals(event.getApiUser()));
    }
}
