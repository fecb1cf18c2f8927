package dev.mailpipe.deliverer.queue;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * For retry records that do not carry the MX host and error themselves (written by a deliverer
 * before those headers): the latest {@code deferred} event (highest attempt, then latest) of each
 * such email on {@code mail.delivery-events}. Pure: the events are fed in, the emails filled after.
 */
public final class LastErrors {

    private final Set<String> wanted;
    private final Map<String, DeliveryEvent> latest = new HashMap<>();

    /** Looks for the emails among {@code deferred} that have no last error. */
    public LastErrors(final List<DeferredEmail> deferred) {
        this.wanted = deferred.stream().filter(e -> e.lastError() == null).map(DeferredEmail::emailId)
                .collect(Collectors.toSet());
    }

    /** True when some email needs an event, i.e. reading the events is worth it. */
    public boolean needed() {
        return !wanted.isEmpty();
    }

    public void offer(final DeliveryEvent event) {
        if (event.getType() != EventType.deferred || event.getEmailId() == null || !wanted.contains(event.getEmailId())) {
            return;
        }
        latest.merge(event.getEmailId(), event, (a, b) -> b.getAttempt() > a.getAttempt()
                || b.getAttempt() == a.getAttempt() && !b.getTimestamp().isBefore(a.getTimestamp()) ? b : a);
    }

    /** {@code deferred} with what the events said filled in where the records were silent. */
    public List<DeferredEmail> fill(final List<DeferredEmail> deferred) {
        return deferred.stream().map(e -> {
            final DeliveryEvent event = e.lastError() == null ? latest.get(e.emailId()) : null;
            return event == null ? e : e.orFrom(event.getMxHost(), event.getReason());
        }).toList();
    }
}
