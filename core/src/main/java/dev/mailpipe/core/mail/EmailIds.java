package dev.mailpipe.core.mail;

import dev.mailpipe.core.mail.HeaderBlock;
import java.util.Locale;

/** Identifiers of the emails of one submission. */
public final class EmailIds {

    private EmailIds() {
    }

    /**
     * Seed 000: {@code emailId = messageId + index + '$' + address}, index not zero-padded:
     * {@code 1425758592214_4576_32113_9310.sc-10_10_127_105-inbound0$ben@ifaxin.com}.
     */
    public static String emailId(final String messageId, final int index, final String address) {
        return messageId + index + '$' + address;
    }

    /**
     * The email's own Message-ID, {@code <messageId.index@domain>}; characters of messageId that
     * are not allowed in a dot-atom become {@code _}.
     */
    public static String messageIdHeader(final String messageId, final int index, final String domain) {
        final StringBuilder left = new StringBuilder(messageId.length() + 8);
        for (int i = 0; i < messageId.length(); i++) {
            final char c = messageId.charAt(i);
            left.append(isAtext(c) || c == '.' && i > 0 && i < messageId.length() - 1 ? c : '_');
        }
        left.append('.').append(index);
        return "<" + left + "@" + (domain.isBlank() ? "mailpipe.invalid" : domain.toLowerCase(Locale.ROOT)) + ">";
    }

    /**
     * The submission's own {@code Message-ID}, unfolded, when it is one well-formed msg-id
     * ({@code <left@right>}, RFC 5322 3.6.4); otherwise null, and the email gets a derived one.
     */
    public static String clientMessageId(final HeaderBlock header) {
        final HeaderBlock.Field field = header.first("Message-ID");
        if (field == null) {
            return null;
        }
        final String value = field.value().replaceAll("[\\r\\n]+", "").strip();
        return MSG_ID.matcher(value).matches() ? value : null;
    }

    private static final java.util.regex.Pattern MSG_ID =
            java.util.regex.Pattern.compile("<[\\x21-\\x3b\\x3d\\x3f-\\x7e]+@[\\x21-\\x3b\\x3d\\x3f-\\x5a\\x5e-\\x7e]+>");

    private static boolean isAtext(final char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }
}
