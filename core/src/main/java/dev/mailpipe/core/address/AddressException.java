package dev.mailpipe.core.address;

/** An address mailpipe does not take; {@link #problem()} says which rule it breaks, the message says how. */
public final class AddressException extends Exception {

    /** Why an address is refused; each maps to one SMTP reply (README, core/DESIGN.md). */
    public enum Problem {
        /** Not {@code local@domain} by RFC 5321 §4.1.2 (or RFC 6531 §3.3 with SMTPUTF8). */
        SYNTAX,
        /** Longer than RFC 5321 §4.5.3.1 allows (local part 64, domain 255, path 256 octets). */
        TOO_LONG,
        /** {@code a@[192.0.2.1]}: valid, but mailpipe does not deliver to address literals. */
        ADDRESS_LITERAL,
        /** Non-ASCII characters in a transaction without SMTPUTF8 (RFC 6531 §3.4: 553 5.6.7). */
        NEEDS_SMTPUTF8
    }

    private final Problem problem;

    public AddressException(final Problem problem, final String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
