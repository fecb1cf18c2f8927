package dev.mailpipe.expander.core;

import dev.mailpipe.schemas.OutboundEmail;
import java.util.List;
import java.util.Map;

/** What one submission becomes: its emails, or the reason it cannot be expanded. */
public sealed interface Expansion {

    /**
     * @param emails        one per recipient, in recipient order
     * @param customHeaders the submission's SC-Custom-* fields (also on every email)
     */
    record Expanded(List<OutboundEmail> emails, Map<String, String> customHeaders) implements Expansion {
        public Expanded {
            emails = List.copyOf(emails);
        }
    }

    /**
     * @param reason        for the dead-letter record and the {@code invalid} event, e.g. {@code xsmtpapi error: ...}
     * @param customHeaders the submission's SC-Custom-* fields, when its header could be read
     */
    record Invalid(String reason, Map<String, String> customHeaders) implements Expansion {
        public Invalid {
            customHeaders = Map.copyOf(customHeaders);
        }

        public Invalid(final String reason) {
            this(reason, Map.of());
        }
    }
}
