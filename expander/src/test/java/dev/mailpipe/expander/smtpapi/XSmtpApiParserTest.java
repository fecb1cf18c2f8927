package dev.mailpipe.expander.smtpapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.schemas.TrackingFilters;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class XSmtpApiParserTest {

    private static String b64(final String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldParseToSubSectionAndFilters() throws Exception {
        final XSmtpApi api = XSmtpApiParser.parse(b64("""
                {"to": ["ben@ifaxin.com", "joe@ifaxin.com"],
                 "sub": {"%name%": ["Ben", "Joe"], "%money%": [288, 497.50]},
                 "section": {"silver": "words"},
                 "filters": {"open_tracking": {"settings": {"enable": "1"}},
                             "click_tracking": {"settings": {"enable": 0}}}}"""));
        assertThat(api.to()).contains(List.of("ben@ifaxin.com", "joe@ifaxin.com"));
        assertThat(api.sub()).containsEntry("%name%", List.of("Ben", "Joe"))
                .containsEntry("%money%", List.of("288", "497.50"));
        assertThat(api.section()).containsEntry("silver", "words");
        final TrackingFilters merged = api.filters().mergeOver(new TrackingFilters(true, false, true));
        assertThat(merged.getSubscriptionTracking()).isTrue();
        assertThat(merged.getOpenTracking()).isTrue();
        assertThat(merged.getClickTracking()).isFalse();
    }

    @Test
    void shouldAcceptTheSeedsPythonExampleFoldedOverLines() throws Exception {
        // python: Header(base64.b64encode(json.dumps(x_smtpapi))) may fold a long value
        final String value = b64("{\"to\": [\"d@163.com\", \"i@163.com\"], \"sub\": {\"%content%\": [\"nihao0\", \"nihao1\"]}}");
        final XSmtpApi api = XSmtpApiParser.parse(value.substring(0, 40) + "\r\n " + value.substring(40));
        assertThat(api.to()).contains(List.of("d@163.com", "i@163.com"));
        assertThat(api.sub().get("%content%")).containsExactly("nihao0", "nihao1");
    }

    @Test
    void shouldTreatAppsAsAnAliasOfFilters() throws Exception {
        final XSmtpApi api = XSmtpApiParser.parse(b64(
                "{\"apps\": {\"subscription_tracking\": {\"settings\": {\"enable\": \"1\"}}}}"));
        assertThat(api.filters().subscriptionTracking()).contains(true);
        assertThat(api.to()).isEmpty();
    }

    @Test
    void shouldRejectMoreThanOneHundredRecipients() {
        final String to = IntStream.range(0, 101).mapToObj(i -> "\"u" + i + "@example.test\"")
                .collect(Collectors.joining(","));
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"to\": [" + to + "]}")))
                .isInstanceOf(XSmtpApiException.class).hasMessageContaining("101 recipients, at most 100");
    }

    @Test
    void shouldAcceptExactlyOneHundredRecipients() throws Exception {
        final String to = IntStream.range(0, 100).mapToObj(i -> "\"u" + i + "@example.test\"")
                .collect(Collectors.joining(","));
        assertThat(XSmtpApiParser.parse(b64("{\"to\": [" + to + "]}")).to().orElseThrow()).hasSize(100);
    }

    @Test
    void shouldRejectWhatIsNotBase64JsonOfTheRightShape() {
        assertThatThrownBy(() -> XSmtpApiParser.parse("%%%")).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"to\": [")))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("[1, 2]"))).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"to\": \"ben@ifaxin.com\"}")))
                .hasMessageContaining("\"to\" must be an array");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"to\": []}"))).hasMessageContaining("\"to\" is empty");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"to\": [\"ben@x.test\\r\\nBcc: e@x.test\"]}")))
                .hasMessageContaining("is not an email address");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"sub\": {\"%a%\": \"x\"}}")))
                .hasMessageContaining("must be an array");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"sub\": {\"%a%\": [{\"x\": 1}]}}")))
                .hasMessageContaining("must be a string or a number");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"sub\": {\"\": [\"x\"]}}")))
                .hasMessageContaining("empty variable name");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64(
                "{\"filters\": {\"open_tracking\": {\"settings\": {\"enable\": \"yes\"}}}}")))
                .hasMessageContaining("open_tracking settings.enable");
        assertThatThrownBy(() -> XSmtpApiParser.parse(b64("{\"to\": [\"a@b.test\"], \"to\": [\"c@d.test\"]}")))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> XSmtpApiParser.parse("")).hasMessageContaining("empty");
    }

    @Test
    void shouldRejectAHeaderLongerThanOneMegabyte() {
        assertThatThrownBy(() -> XSmtpApiParser.parse("A".repeat(XSmtpApiParser.MAX_HEADER_CHARS + 1)))
                .hasMessageContaining("longer than 1 MB");
    }

    @Test
    void shouldIgnoreUnknownKeysAndFilters() throws Exception {
        final XSmtpApi api = XSmtpApiParser.parse(b64(
                "{\"settings\": {\"x\": 1}, \"filters\": {\"bypass_list_management\": {\"settings\": {\"enable\": \"1\"}}}}"));
        assertThat(api.filters()).isEqualTo(FilterOverrides.NONE);
    }
}
