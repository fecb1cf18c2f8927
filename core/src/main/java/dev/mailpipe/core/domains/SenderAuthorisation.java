package dev.mailpipe.core.domains;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether an account may send as the given sender: the envelope sender's domain and every From:
 * domain must be registered to the account (itself or a parent domain, the closest registration
 * deciding). One rule for every entry point — SMTP ingest today, the Web API when it comes.
 *
 * <p>In {@link Mode#ANY} nothing is refused (mail from unregistered domains goes out unsigned).
 */
public final class SenderAuthorisation {

    /** {@code MAILPIPE_SENDER_DOMAINS}. */
    public enum Mode {
        /** Refuse senders whose domain is not registered to the account (production). */
        ENFORCE,
        /** Let every sender through (the embedded default). */
        ANY;

        public static Mode of(final String value) {
            return Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }

    /** The verdict: {@link Allowed} or {@link Refused} naming the first offending domain. */
    public sealed interface Verdict {
    }

    public record Allowed() implements Verdict {
    }

    /** {@code domain} is not registered to the account ({@code owner} is who has it, or empty). */
    public record Refused(String domain, String where) implements Verdict {
        /** The SMTP reply text after {@code 550 5.7.1 }. */
        public String text() {
            return "sender domain " + domain + " (" + where + ") is not registered to this account;"
                    + " add it with ./mailpipe domains add";
        }
    }

    /** Lets everything through: for tests and tools that have no domains table. */
    public static final SenderAuthorisation ALLOW_ALL = new SenderAuthorisation(Mode.ANY, d -> Optional.empty());

    private final Mode mode;
    private final Function<String, Optional<String>> ownerOf;
    private final java.util.function.BiConsumer<String, Refused> onRefusal;

    /**
     * @param ownerOf the api_user a (normalised) domain is registered to, if it is registered
     */
    public SenderAuthorisation(final Mode mode, final Function<String, Optional<String>> ownerOf) {
        this(mode, ownerOf, (apiUser, refused) -> { });
    }

    /** As above, calling {@code onRefusal} (api_user, refusal) for every refusal: the caller logs and counts. */
    public SenderAuthorisation(final Mode mode, final Function<String, Optional<String>> ownerOf,
            final java.util.function.BiConsumer<String, Refused> onRefusal) {
        this.mode = mode;
        this.ownerOf = ownerOf;
        this.onRefusal = onRefusal;
    }

    public Mode mode() {
        return mode;
    }

    /** The envelope sender alone (MAIL FROM); the null sender {@code <>} is allowed. */
    public Verdict checkEnvelope(final String apiUser, final String mailFrom) {
        if (mode == Mode.ANY || mailFrom == null || mailFrom.isEmpty()) {
            return new Allowed();
        }
        return reported(apiUser, check(apiUser, domainOf(mailFrom), "envelope sender"));
    }

    private Verdict reported(final String apiUser, final Verdict verdict) {
        if (verdict instanceof Refused refused) {
            onRefusal.accept(apiUser, refused);
        }
        return verdict;
    }

    /** Every From: address of {@code message} (raw). A message without From: is not refused here. */
    public Verdict checkFrom(final String apiUser, final byte[] message) {
        if (mode == Mode.ANY) {
            return new Allowed();
        }
        for (final String domain : FromHeader.domains(message)) {
            final Verdict v = check(apiUser, domain, "From: header");
            if (v instanceof Refused) {
                return reported(apiUser, v);
            }
        }
        return new Allowed();
    }

    /** Both, for an entry point that has the whole submission at once (the Web API). */
    public Verdict check(final String apiUser, final String mailFrom, final byte[] message) {
        final Verdict envelope = checkEnvelope(apiUser, mailFrom);
        return envelope instanceof Refused ? envelope : checkFrom(apiUser, message);
    }

    /** The domains of {@code domains} that {@code apiUser} may not send as. */
    public List<String> unauthorised(final String apiUser, final List<String> domains) {
        final List<String> out = new ArrayList<>();
        for (final String d : domains) {
            if (check(apiUser, d, "") instanceof Refused) {
                out.add(d);
            }
        }
        return out;
    }

    private Verdict check(final String apiUser, final String domain, final String where) {
        final Optional<String> owner = DomainNames.closest(domain, ownerOf);
        return owner.isPresent() && owner.get().equals(apiUser) ? new Allowed() : new Refused(domain, where);
    }

    private static String domainOf(final String address) {
        final int at = address.lastIndexOf('@');
        final String raw = at < 0 ? address : address.substring(at + 1);
        return DomainNames.normalise(raw).orElse(raw.toLowerCase(Locale.ROOT));
    }
}
