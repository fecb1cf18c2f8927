package dev.mailpipe.core.smtpapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class XSmtpApiHeaderTest {

    private static XSmtpApi parse(final String value) throws XSmtpApiException {
        return XSmtpApiHeader.parseValue(value, 1, false);
    }

    private static String b64(final String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldParseToSubSectionAndFilters() throws Exception {
        final XSmtpApi api = parse(b64("""
                {"to": ["ben@ifaxin.com", "joe@ifaxin.com"],
                 "sub": {"%name%": ["Ben", "Joe"], "%money%": [288, 497.50]},
                 "section": {"silver": "words"},
                 "filters": {"open_tracking": {"settings": {"enable": "1"}},
                             "click_tracking": {"settings": {"enable": 0}}}}"""));
        assertThat(api.to()).contains(List.of("ben@ifaxin.com", "joe@ifaxin.com"));
        assertThat(api.sub()).containsEntry("%name%", List.of("Ben", "Joe"))
                .containsEntry("%money%", List.of("288", "497.50"));
        assertThat(api.section()).containsEntry("silver", "words");
        assertThat(api.filters().subscriptionTracking()).isEmpty();
        assertThat(api.filters().openTracking()).contains(true);
        assertThat(api.filters().clickTracking()).contains(false);
    }

    @Test
    void shouldAcceptTheSeedsPythonExampleFoldedOverLines() throws Exception {
        // python: Header(base64.b64encode(json.dumps(x_smtpapi))) may fold a long value
        final String value = b64("{\"to\": [\"d@163.com\", \"i@163.com\"], \"sub\": {\"%content%\": [\"nihao0\", \"nihao1\"]}}");
        final XSmtpApi api = parse(value.substring(0, 40) + "\r\n " + value.substring(40));
        assertThat(api.to()).contains(List.of("d@163.com", "i@163.com"));
        assertThat(api.sub().get("%content%")).containsExactly("nihao0", "nihao1");
    }

    @Test
    void shouldTreatAppsAsAnAliasOfFilters() throws Exception {
        final XSmtpApi api = parse(b64(
                "{\"apps\": {\"subscription_tracking\": {\"settings\": {\"enable\": \"1\"}}}}"));
        assertThat(api.filters().subscriptionTracking()).contains(true);
        assertThat(api.to()).isEmpty();
    }

    @Test
    void shouldRejectMoreThanOneHundredRecipients() {
        final String to = IntStream.range(0, 101).mapToObj(i -> "\"u" + i + "@example.test\"")
                .collect(Collectors.joining(","));
        assertThatThrownBy(() -> parse(b64("{\"to\": [" + to + "]}")))
                .isInstanceOf(XSmtpApiException.class).hasMessageContaining("101 recipients, at most 100");
    }

    @Test
    void shouldAcceptExactlyOneHundredRecipients() throws Exception {
        final String to = IntStream.range(0, 100).mapToObj(i -> "\"u" + i + "@example.test\"")
                .collect(Collectors.joining(","));
        assertThat(parse(b64("{\"to\": [" + to + "]}")).to().orElseThrow()).hasSize(100);
    }

    @Test
    void shouldRejectWhatIsNotBase64JsonOfTheRightShape() {
        assertThatThrownBy(() -> parse("%%%")).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> parse(b64("{\"to\": [")))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse(b64("[1, 2]"))).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> parse(b64("{\"to\": \"ben@ifaxin.com\"}")))
                .hasMessageContaining("\"to\" must be an array");
        assertThatThrownBy(() -> parse(b64("{\"to\": []}"))).hasMessageContaining("\"to\" is empty");
        assertThatThrownBy(() -> parse(b64("{\"to\": [\"ben@x.test\\r\\nBcc: e@x.test\"]}")))
                .hasMessageContaining("\"to\" element 0 is not accepted");
        assertThatThrownBy(() -> parse(b64("{\"sub\": {\"%a%\": \"x\"}}")))
                .hasMessageContaining("must be an array");
        assertThatThrownBy(() -> parse(b64("{\"sub\": {\"%a%\": [{\"x\": 1}]}}")))
                .hasMessageContaining("must be a string or a number");
        assertThatThrownBy(() -> parse(b64("{\"sub\": {\"\": [\"x\"]}}")))
                .hasMessageContaining("empty variable name");
        assertThatThrownBy(() -> parse(b64(
                "{\"filters\": {\"open_tracking\": {\"settings\": {\"enable\": \"yes\"}}}}")))
                .hasMessageContaining("open_tracking settings.enable");
        assertThatThrownBy(() -> parse(b64("{\"to\": [\"a@b.test\"], \"to\": [\"c@d.test\"]}")))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse("")).hasMessageContaining("empty");
    }

    @Test
    void shouldRefuseANumberWhoseExponentNoBigDecimalHolds() {
        // found by XSmtpApiFuzzTest#headerValue: a NumberFormatException escaped instead
        assertThatThrownBy(() -> parse(b64("{\"to\":8000e01761527434878888888888888}")))
                .isInstanceOf(XSmtpApiException.class).hasMessageContaining("number out of range");
        assertThatThrownBy(() -> parse(b64("{\"sub\":{\"-x-\":[1e99999999999]}}")))
                .isInstanceOf(XSmtpApiException.class);
    }

    @Test
    void shouldRejectAHeaderLongerThanOneMegabyte() {
        assertThatThrownBy(() -> parse("A".repeat(XSmtpApiHeader.MAX_HEADER_CHARS + 1)))
                .hasMessageContaining("longer than 1 MB");
    }

    @Test
    void shouldIgnoreUnknownKeysAndFilters() throws Exception {
        final XSmtpApi api = parse(b64(
                "{\"settings\": {\"x\": 1}, \"filters\": {\"bypass_list_management\": {\"settings\": {\"enable\": \"1\"}}}}"));
        assertThat(api.filters()).isEqualTo(FilterOverrides.NONE);
    }

    private static XSmtpApi readMessage(final String headers, final int envelope) throws XSmtpApiException {
        return XSmtpApiHeader.read((headers + "\r\nbody\r\n").getBytes(StandardCharsets.UTF_8), envelope, false);
    }

    @Test
    void shouldFindTheHeaderAtAnyPositionAsNodemailerAndEmailMessageWriteIt() throws Exception {
        final String value = b64("{\"sub\": {\"%n%\": [\"Ben\"]}}");
        for (final String headers : List.of(
                "X-SMTPAPI: " + value + "\r\nFrom: a@b.test\r\nSubject: hi\r\nMIME-Version: 1.0\r\n",
                "From: a@b.test\r\nX-SMTPAPI: " + value + "\r\nSubject: hi\r\n",
                "From: a@b.test\r\nSubject: hi\r\nx-smtpapi: " + value + "\r\n")) {
            assertThat(readMessage(headers, 1).sub()).containsEntry("%n%", List.of("Ben"));
        }
        assertThat(readMessage("From: a@b.test\r\nSubject: hi\r\n", 1)).isEqualTo(XSmtpApi.ABSENT);
    }

    @Test
    void shouldRefuseTwoHeadersWherever() {
        final String value = b64("{}");
        assertThatThrownBy(() -> readMessage("X-SMTPAPI: " + value + "\r\nFrom: a@b.test\r\nX-Smtpapi: " + value
                + "\r\n", 1)).hasMessage("more than one X-SMTPAPI header");
    }

    @Test
    void shouldReadFoldedValuesAndEncodedWords() throws Exception {
        final String value = b64("{\"to\": [\"ben@ifaxin.com\", \"joe@ifaxin.com\"], \"sub\": {\"%n%\": [1, 2]}}");
        final String folded = value.substring(0, 20) + "\r\n\t" + value.substring(20, 50) + "\r\n " + value.substring(50);
        assertThat(readMessage("Subject: x\r\nX-SMTPAPI: " + folded + "\r\nFrom: a@b.test\r\n", 1).to().orElseThrow())
                .hasSize(2);
        final String encoded = "=?utf-8?b?" + b64(value.substring(0, 30)) + "?=\r\n =?utf-8?q?" + value.substring(30)
                .replace("=", "=3D") + "?=";
        assertThat(readMessage("X-SMTPAPI: " + encoded + "\r\n", 1).sub().get("%n%")).containsExactly("1", "2");
    }

    @Test
    void shouldNeedOneSubValuePerRecipientButAllowMore() throws Exception {
        assertThat(XSmtpApiHeader.parseValue(b64("{\"sub\": {\"%n%\": [\"a\", \"b\", \"c\"]}}"), 2, false)
                .sub().get("%n%")).hasSize(3);
        assertThatThrownBy(() -> XSmtpApiHeader.parseValue(b64("{\"sub\": {\"%n%\": [\"a\"]}}"), 2, false))
                .hasMessageContaining("has 1 values for 2 recipients");
        assertThatThrownBy(() -> XSmtpApiHeader.parseValue(
                b64("{\"to\": [\"a@b.test\", \"c@d.test\"], \"sub\": {\"%n%\": [\"a\"]}}"), 5, false))
                .hasMessageContaining("has 1 values for 2 recipients");
    }

    @Test
    void shouldRefuseTrailingDataDuplicateKeysAndBothFiltersAndApps() {
        assertThatThrownBy(() -> parse(b64("{\"to\": [\"a@b.test\"]} {}"))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse(b64("{\"sub\": {\"%a%\": [1], \"%a%\": [2]}}")))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse(b64("{\"filters\": {}, \"apps\": {}}"))).hasMessageContaining("not both");
    }

    @Test
    void shouldAcceptEnableAsStringNumberOrBoolean() throws Exception {
        assertThat(parse(b64("{\"filters\": {\"open_tracking\": {\"settings\": {\"enable\": true}},"
                + " \"click_tracking\": {\"settings\": {\"enable\": 0}},"
                + " \"subscription_tracking\": {\"settings\": {\"enable\": \"1\"}}}}")).filters())
                .isEqualTo(new FilterOverrides(java.util.Optional.of(true), java.util.Optional.of(true),
                        java.util.Optional.of(false)));
    }

    @Test
    void shouldCheckToAddressesByTheRcptRules() throws Exception {
        assertThat(parse(b64("{\"to\": [\"\\\"a b\\\"@example.com\"]}")).to().orElseThrow())
                .containsExactly("\"a b\"@example.com");
        assertThatThrownBy(() -> parse(b64("{\"to\": [\"a@[192.0.2.1]\"]}"))).hasMessageContaining("address literal");
        assertThatThrownBy(() -> parse(b64("{\"to\": [\"jörg@example.com\"]}"))).hasMessageContaining("SMTPUTF8");
        assertThat(XSmtpApiHeader.parseValue(b64("{\"to\": [\"jörg@example.com\"]}"), 1, true).to().orElseThrow())
                .containsExactly("jörg@example.com");
    }
}
