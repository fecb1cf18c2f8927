package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * What the web service reads out of a request itself (Helidon parses the HTTP framing): the
 * User-Agent header, the one-click unsubscribe body and the redirect target of a click. Any input
 * gives an answer, never an exception (a 500 instead of a pixel, a redirect or an unsubscribe), and
 * a redirect target never carries CR, LF or NUL into the Location header. Regression over
 * {@code WebRequestFuzzTestInputs} in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class WebRequestFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void userAgent(final FuzzedDataProvider data) {
        final UserAgent agent = UserAgent.parse(data.consumeRemainingAsString());
        assertThat(agent).isNotNull();
    }

    @FuzzTest(maxDuration = "60s")
    void oneClickBody(final FuzzedDataProvider data) {
        final String contentType = data.pickValue(new String[] {"application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "text/plain", data.consumeString(40)});
        TrackingRoutes.isOneClick(contentType, data.consumeRemainingAsString());
    }

    @FuzzTest(maxDuration = "60s")
    void redirectTarget(final FuzzedDataProvider data) {
        final String location = TrackingRoutes.safeLocation(data.consumeRemainingAsString());
        if (location != null) {
            assertThat(location).doesNotContain("\r").doesNotContain("\n").doesNotContain("\0")
                    .matches("(?i)https?://.*");
            assertThat(location.chars().allMatch(c -> c > 0x20 && c < 0x7f)).isTrue();
        }
    }
}
