package dev.mailpipe.expander.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTrackingTest {

    private final FakeLinks links = new FakeLinks();

    private static TrackingOptions options(final boolean click, final boolean plain, final boolean unsubscribe,
            final boolean footers) {
        return new TrackingOptions(true, click, plain, unsubscribe, footers, "Unsubscribe");
    }

    @Test
    void shouldRewriteLinksWithoutTrailingPunctuation() {
        final String text = "See https://shop.test/a?b=1&c=2. Or (http://x.test/wiki/A_(b)), <https://y.test/>\r\n"
                + "mailto:a@b.test, ftp://f.test/ and https://t.test/o/own stay; http:// alone too.\r\n";

        final String out = TextTracking.rewrite(text, options(true, true, false, false), links);

        assertThat(links.clicked).containsExactly("https://shop.test/a?b=1&c=2", "http://x.test/wiki/A_(b)",
                "https://y.test/");
        assertThat(out).isEqualTo("See https://t.test/c/https_3A_2F_2Fshop.test_2Fa_3Fb_3D1_26c_3D2. Or "
                + "(https://t.test/c/http_3A_2F_2Fx.test_2Fwiki_2FA__28b_29), <https://t.test/c/https_3A_2F_2Fy.test_2F>\r\n"
                + "mailto:a@b.test, ftp://f.test/ and https://t.test/o/own stay; http:// alone too.\r\n");
    }

    @Test
    void shouldLeavePlainTextLinksWhenSwitchedOff() {
        final String text = "https://shop.test/\r\n";

        assertThat(TextTracking.rewrite(text, options(true, false, false, false), links)).isEqualTo(text);
        assertThat(TextTracking.rewrite(text, options(false, true, false, false), links)).isEqualTo(text);
    }

    @Test
    void shouldReplaceThePlaceholderOrAppendAFooter() {
        assertThat(TextTracking.rewrite("Leave: %unsubscribe_url%\r\n", options(true, true, true, false), links))
                .isEqualTo("Leave: https://t.test/u/UNSUB\r\n");
        assertThat(links.clicked).isEmpty();
        assertThat(TextTracking.rewrite("Hi\r\n", options(false, false, true, true), links))
                .isEqualTo("Hi\r\n\r\nUnsubscribe: https://t.test/u/UNSUB\r\n");
        assertThat(TextTracking.rewrite("Hi", options(false, false, true, true), links))
                .isEqualTo("Hi\r\n\r\nUnsubscribe: https://t.test/u/UNSUB\r\n");
    }

    @Test
    void shouldTrimOnlyUnbalancedParentheses() {
        assertThat(TextTracking.trim("https://x.test/a).")).isEqualTo("https://x.test/a");
        assertThat(TextTracking.trim("https://x.test/A_(b)")).isEqualTo("https://x.test/A_(b)");
        assertThat(TextTracking.trim("https://x.test/?q=1!")).isEqualTo("https://x.test/?q=1");
    }
}
