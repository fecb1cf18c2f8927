package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrackingRoutesTest {

    @Test
    void thePixelIsA43ByteGif() {
        assertThat(TrackingRoutes.PIXEL).hasSize(43);
        assertThat(new String(TrackingRoutes.PIXEL, 0, 6, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("GIF89a");
    }

    @Test
    void oneClickIsTheRfc8058Field() {
        assertThat(TrackingRoutes.isOneClick("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")).isTrue();
        assertThat(TrackingRoutes.isOneClick("", "a=b&List-Unsubscribe=One-Click\r\n")).isTrue();
        assertThat(TrackingRoutes.isOneClick("application/x-www-form-urlencoded", "List-Unsubscribe=One%2DClick"))
                .isTrue();
        assertThat(TrackingRoutes.isOneClick("multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--x--")).isTrue();
        assertThat(TrackingRoutes.isOneClick("application/x-www-form-urlencoded", "")).isFalse();
        assertThat(TrackingRoutes.isOneClick("application/x-www-form-urlencoded", "List-Unsubscribe=yes")).isFalse();
        assertThat(TrackingRoutes.isOneClick("application/x-www-form-urlencoded", "List-Unsubscribe=%zz")).isFalse();
    }

    @Test
    void onlyAbsoluteHttpUrlsAreRedirectedTo() {
        assertThat(TrackingRoutes.safeLocation("https://example.com/a?b=c#d")).isEqualTo("https://example.com/a?b=c#d");
        assertThat(TrackingRoutes.safeLocation("HTTP://example.com")).isEqualTo("HTTP://example.com");
        assertThat(TrackingRoutes.safeLocation("https://example.com/caf\u00e9 x"))
                .isEqualTo("https://example.com/caf%C3%A9%20x");
        assertThat(TrackingRoutes.safeLocation("javascript:alert(1)")).isNull();
        assertThat(TrackingRoutes.safeLocation("//evil.example/")).isNull();
        assertThat(TrackingRoutes.safeLocation("/relative")).isNull();
        assertThat(TrackingRoutes.safeLocation("https:///nohost")).isNull();
        assertThat(TrackingRoutes.safeLocation("https://example.com/\r\nSet-Cookie: a=b")).isNull();
        assertThat(TrackingRoutes.safeLocation(null)).isNull();
    }

    @Test
    void pagesEscapeWhatTheyShow() {
        assertThat(TrackingRoutes.escape("<a href=\"x\">&'")).isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
