package dev.mailpipe.expander.tracking;

import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.core.tracking.TrackingTokens;
import dev.mailpipe.expander.mime.TrackedMessage;
import dev.mailpipe.schemas.TrackingFilters;
import java.util.List;
import java.util.Set;

/**
 * Applies an email's tracking filters to its rendered bytes (after substitution). Pure apart
 * from signing; thread-safe.
 *
 * <ul>
 *   <li>open tracking: a pixel {@code PUBLIC_URL/o/{token}} in every HTML part;</li>
 *   <li>click tracking: http/https links of HTML parts (and of plain-text parts unless
 *       {@code plainTextLinks} is off) become {@code PUBLIC_URL/c/{token}}, the token carrying the
 *       exact URL;</li>
 *   <li>subscription tracking: {@code List-Unsubscribe: <PUBLIC_URL/u/{token}>} and
 *       {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click} (RFC 8058; the sender's own
 *       fields of those names are replaced), plus the visible link: the {@code %unsubscribe_url%}
 *       placeholder where the sender put it in any text part, otherwise a footer in every HTML and
 *       plain-text part.</li>
 * </ul>
 */
public final class Tracker {

    private static final Set<String> REPLACED_FIELDS = Set.of("list-unsubscribe", "list-unsubscribe-post");

    private final String publicUrl;
    private final TrackingTokens tokens;
    private final boolean plainTextLinks;
    private final String footerText;

    /**
     * @param publicUrl      base of every link, e.g. {@code https://t.example.com} (a trailing / is dropped)
     * @param plainTextLinks whether click tracking also rewrites links in text/plain parts
     * @param footerText     text of the unsubscribe footer
     */
    public Tracker(final String publicUrl, final TrackingTokens tokens, final boolean plainTextLinks,
            final String footerText) {
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.tokens = tokens;
        this.plainTextLinks = plainTextLinks;
        this.footerText = footerText;
    }

    public String publicUrl() {
        return publicUrl;
    }

    /**
     * The tracked email.
     *
     * @param email the rendered email
     * @param base  what the tokens say about it (any kind; url ignored)
     */
    public byte[] apply(final byte[] email, final TrackingFilters filters, final TrackingToken base) {
        return apply(email, filters, base, null);
    }

    /**
     * As {@link #apply(byte[], TrackingFilters, TrackingToken)}, with the account's own footer text.
     *
     * @param accountFooterText the account's unsubscribe footer text; null or blank = this tracker's default
     */
    public byte[] apply(final byte[] email, final TrackingFilters filters, final TrackingToken base,
            final String accountFooterText) {
        final String footer = accountFooterText == null || accountFooterText.isBlank() ? footerText
                : accountFooterText.strip();
        TrackingOptions options = new TrackingOptions(filters.getOpenTracking(), filters.getClickTracking(),
                plainTextLinks, filters.getSubscriptionTracking(), false, footer);
        if (!options.any()) {
            return email;
        }
        final TrackedMessage message = TrackedMessage.parse(email);
        if (options.unsubscribe()) {
            options = options.withFooters(!message.textContains(TrackingOptions.PLACEHOLDER));
        }
        final SignedLinks links = new SignedLinks(base);
        final TrackingOptions chosen = options;
        final List<String> fields = options.unsubscribe()
                ? List.of("List-Unsubscribe: <" + links.unsubscribe() + ">\r\n",
                        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
                : List.of();
        return message.render(html -> HtmlTracking.rewrite(html, chosen, links),
                text -> TextTracking.rewrite(text, chosen, links),
                options.unsubscribe() ? REPLACED_FIELDS : Set.of(), fields);
    }

    /** Signs on first use; the open and unsubscribe links are the same wherever they appear in one email. */
    private final class SignedLinks implements Links {
        private final TrackingToken base;
        private String open;
        private String unsubscribe;

        SignedLinks(final TrackingToken base) {
            this.base = base;
        }

        @Override
        public String base() {
            return publicUrl + "/";
        }

        @Override
        public String click(final String url) {
            try {
                return link(TrackingKind.CLICK, url);
            } catch (final IllegalArgumentException tooLong) {
                return null; // a URL longer than a token can carry stays as it is
            }
        }

        @Override
        public String open() {
            if (open == null) {
                open = link(TrackingKind.OPEN, null);
            }
            return open;
        }

        @Override
        public String unsubscribe() {
            if (unsubscribe == null) {
                unsubscribe = link(TrackingKind.UNSUBSCRIBE, null);
            }
            return unsubscribe;
        }

        private String link(final TrackingKind kind, final String url) {
            return publicUrl + "/" + kind.code() + "/" + tokens.sign(base.as(kind, url));
        }
    }
}
