package dev.mailpipe.expander.tracking;

/**
 * What to do to the text parts of one email.
 *
 * @param open           add the open pixel to every HTML part
 * @param click          rewrite http/https links of HTML parts
 * @param plainTextLinks with {@code click}: also rewrite links in text/plain parts
 * @param unsubscribe    put the unsubscribe link in: at {@code %unsubscribe_url%}, else as a footer
 * @param footers        with {@code unsubscribe}: append a footer (the email holds no placeholder)
 * @param footerText     the footer's text (the link's text in HTML)
 */
public record TrackingOptions(boolean open, boolean click, boolean plainTextLinks, boolean unsubscribe,
        boolean footers, String footerText) {

    /** Where the sender wants the unsubscribe URL (SendGrid's and SendCloud's convention). */
    public static final String PLACEHOLDER = "%unsubscribe_url%";

    public boolean any() {
        return open || click || unsubscribe;
    }

    public TrackingOptions withFooters(final boolean value) {
        return new TrackingOptions(open, click, plainTextLinks, unsubscribe, value, footerText);
    }
}
