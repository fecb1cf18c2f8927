package dev.mailpipe.expander.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTrackingTest {

    private static final TrackingOptions CLICK = new TrackingOptions(false, true, true, false, false, "Unsubscribe");
    private static final TrackingOptions OPEN = new TrackingOptions(true, false, true, false, false, "Unsubscribe");
    private static final TrackingOptions FOOTER = new TrackingOptions(false, false, true, true, true, "Stop <these> mails");
    private static final TrackingOptions PLACEHOLDER = new TrackingOptions(false, true, true, true, false, "x");

    private final FakeLinks links = new FakeLinks();

    @Test
    void shouldRewriteHttpAndHttpsLinksInPlaceAndChangeNothingElse() {
        final String html = "<html><body>\r\n<P>Hi <a class=x HREF=\"https://shop.test/a?b=1&amp;c=2\">shop</a>,\r\n"
                + "<a href='http://old.test/'>old</a> <a href=https://bare.test/x>bare</a>\r\n"
                + "<map><area shape=rect href=\" https://area.test/ \"></map></body></html>\r\n";

        final String out = HtmlTracking.rewrite(html, CLICK, links);

        assertThat(links.clicked).containsExactly("https://shop.test/a?b=1&c=2", "http://old.test/",
                "https://bare.test/x", "https://area.test/");
        assertThat(out).isEqualTo("<html><body>\r\n<P>Hi <a class=x HREF=\"https://t.test/c/https_3A_2F_2Fshop.test_2Fa_3Fb_3D1_26c_3D2\">shop</a>,\r\n"
                + "<a href='https://t.test/c/http_3A_2F_2Fold.test_2F'>old</a> <a href=https://t.test/c/https_3A_2F_2Fbare.test_2Fx>bare</a>\r\n"
                + "<map><area shape=rect href=\"https://t.test/c/https_3A_2F_2Farea.test_2F\"></map></body></html>\r\n");
    }

    @Test
    void shouldLeaveMailtoTelAnchorsRelativeOwnAndMarkedLinksAlone() {
        final String html = "<body><a href=\"mailto:a@b.test\">m</a><a href=\"tel:+123\">t</a><a href=\"#top\">a</a>"
                + "<a href=\"/relative\">r</a><a href=\"https://t.test/u/already\">u</a>"
                + "<a clicktracking=\"off\" href=\"https://secret.test/\">s</a><a clicktracking=OFF href=https://s2.test/>s2</a>"
                + "<a href=\"javascript:alert(1)\">j</a><a name=\"x\">no href</a>"
                + "<!-- <a href=\"https://comment.test/\">c</a> --><p>https://text.test/ in text</p>"
                + "<script>var u = '<a href=\"https://script.test\">';</script></body>";

        assertThat(HtmlTracking.rewrite(html, CLICK, links)).isEqualTo(html);
        assertThat(links.clicked).isEmpty();
    }

    @Test
    void shouldPutThePixelRightBeforeTheBodyEndTag() {
        final String html = "<html><body><p>Hi</p>\r\n</BODY>\r\n</html>\r\n";

        assertThat(HtmlTracking.rewrite(html, OPEN, links)).isEqualTo("<html><body><p>Hi</p>\r\n"
                + "<img src=\"https://t.test/o/OPEN\" width=\"1\" height=\"1\" alt=\"\" border=\"0\" "
                + "style=\"display:block;width:1px;height:1px;border:0\"></BODY>\r\n</html>\r\n");
    }

    @Test
    void shouldAppendThePixelToAFragmentWithoutBody() {
        assertThat(HtmlTracking.rewrite("<p>Hi</p>\r\n", OPEN, links)).startsWith("<p>Hi</p><img src=\"https://t.test/o/OPEN\"")
                .endsWith(">\r\n");
        assertThat(HtmlTracking.rewrite("<html><p>Hi</p></html>", OPEN, links))
                .startsWith("<html><p>Hi</p><img ").endsWith("></html>");
    }

    @Test
    void shouldNotTakeABodyEndTagInsideACommentOrScript() {
        final String html = "<body><!-- </body> --><script>document.write('</body>')</script><p>x</p></body>";

        final String out = HtmlTracking.rewrite(html, OPEN, links);

        assertThat(out).startsWith("<body><!-- </body> --><script>document.write('</body>')</script><p>x</p><img ")
                .endsWith("></body>");
    }

    @Test
    void shouldAppendAnEscapedFooterWithTheUnsubscribeLink() {
        assertThat(HtmlTracking.rewrite("<body><p>Hi</p></body>", FOOTER, links)).isEqualTo("<body><p>Hi</p>"
                + "<p style=\"margin:16px 0 0 0;font-size:12px;color:#666666\"><a href=\"https://t.test/u/UNSUB\" "
                + "style=\"color:#666666\">Stop &lt;these&gt; mails</a></p></body>");
    }

    @Test
    void shouldReplaceThePlaceholderAndNotClickTrackIt() {
        final String html = "<body><a href=\"%unsubscribe_url%\">leave</a> or copy %unsubscribe_url%"
                + " <a href=\"https://x.test/\">x</a></body>";

        assertThat(HtmlTracking.rewrite(html, PLACEHOLDER, links)).isEqualTo("<body><a href=\"https://t.test/u/UNSUB\">"
                + "leave</a> or copy https://t.test/u/UNSUB <a href=\"https://t.test/c/https_3A_2F_2Fx.test_2F\">x</a></body>");
        assertThat(links.clicked).containsExactly("https://x.test/");
    }

    @Test
    void shouldKeepNonAsciiTextAndPositionsAfterIt() {
        final String html = "<body><p>亲爱的Joe 😀</p><a href=\"https://例え.test/ß?q=金牌\">金</a></body>";

        assertThat(HtmlTracking.rewrite(html, CLICK, links)).startsWith("<body><p>亲爱的Joe 😀</p><a href=\"https://t.test/c/")
                .endsWith("\">金</a></body>");
        assertThat(links.clicked).containsExactly("https://例え.test/ß?q=金牌");
    }
}
