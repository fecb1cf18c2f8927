package dev.mailpipe.core.smtpapi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed X-SMTPAPI header (SendCloud's SMTP-mode extension), as {@link XSmtpApiHeader} reads it.
 *
 * @param to      recipients replacing the envelope ones, when given (1..{@value XSmtpApiHeader#MAX_RECIPIENTS})
 * @param sub     variable → its values, one per recipient position; numbers already rendered as JSON text
 * @param section section name (without the % signs) → text, for values of the form {@code %name%}
 * @param filters tracking settings the submission overrides
 */
public record XSmtpApi(Optional<List<String>> to, Map<String, List<String>> sub, Map<String, String> section,
        FilterOverrides filters) {

    /** What a submission without the header means: envelope recipients, no substitution, account defaults. */
    public static final XSmtpApi ABSENT = new XSmtpApi(Optional.empty(), Map.of(), Map.of(), FilterOverrides.NONE);

    public XSmtpApi {
        to = to.map(List::copyOf);
        sub = Collections.unmodifiableMap(new LinkedHashMap<>(sub));
        section = Collections.unmodifiableMap(new LinkedHashMap<>(section));
    }
}
