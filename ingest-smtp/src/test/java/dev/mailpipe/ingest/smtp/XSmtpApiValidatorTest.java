package dev.mailpipe.ingest.smtp;

import static dev.mailpipe.ingest.smtp.Conversation.b64;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class XSmtpApiValidatorTest {

    private static final String SEED_EXAMPLE = """
            {"to": ["ben@ifaxin.com", "joe@ifaxin.com", "bida@ifaxin.com"],
             "sub": {"%name%": ["Ben", "Joe", "Liubida"], "%money%": [288, 497, 688],
                     "%role%": ["银牌", "金牌", "金牌"], "%role_words%": ["%silver%", "%golden%", "%golden%"]},
             "section": {"silver": "some words written to silver user, maybe it is verrrrrrrrry long",
                         "golden": "some words written to golden user, maybe it is verrrrrrrrry long, too"},
             "filters": {"subscription_tracking": {"settings": {"enable": "1"}},
                         "open_tracking": {"settings": {"enable": "1"}},
                         "click_tracking": {"settings": {"enable": "0"}}}}""";

    private static Optional<String> check(final String headers) {
        return XSmtpApiValidator.validate((headers + "\r\nbody\r\n").getBytes(StandardCharsets.UTF_8), 1);
    }

    private static Optional<String> checkJson(final String json) {
        return check("Subject: s\r\nX-SMTPAPI: " + b64(json) + "\r\n");
    }

    @Test
    void shouldAcceptTheSeedExample() {
        assertThat(checkJson(SEED_EXAMPLE)).isEmpty();
    }

    @Test
    void shouldAcceptMessagesWithoutTheHeader() {
        assertThat(check("Subject: s\r\n")).isEmpty();
    }

    @Test
    void shouldAcceptFoldedHeader() {
        final String value = b64(SEED_EXAMPLE);
        final String folded = value.substring(0, 60) + "\r\n " + value.substring(60, 130) + "\r\n\t" + value.substring(130);
        assertThat(check("Subject: s\r\nx-smtpapi: " + folded + "\r\n")).isEmpty();
    }

    @Test
    void shouldRejectBadBase64() {
        assertThat(check("X-SMTPAPI: %%%\r\n")).contains("value is not valid base64");
    }

    @Test
    void shouldRejectNonJsonAndNonObjects() {
        assertThat(checkJson("{not json")).contains("value is not valid JSON");
        assertThat(checkJson("[1]")).contains("value is not a JSON object");
        assertThat(checkJson("\"s\"")).contains("value is not a JSON object");
    }

    @Test
    void shouldRejectHeaderThatIsNotLast() {
        assertThat(check("X-SMTPAPI: " + b64("{}") + "\r\nSubject: s\r\n")).contains("X-SMTPAPI must be the last header field");
    }

    @Test
    void shouldRejectDuplicateHeader() {
        assertThat(check("X-SMTPAPI: " + b64("{}") + "\r\nX-SMTPAPI: " + b64("{}") + "\r\n")).contains("more than one X-SMTPAPI header");
    }

    @Test
    void shouldRejectHeaderOverOneMegabyte() {
        final String big = "{\"section\":{\"a\":\"" + "x".repeat(800_000) + "\"}}";
        assertThat(checkJson(big)).contains("X-SMTPAPI longer than 1 MB");
    }

    @Test
    void shouldRejectWrongShapes() {
        assertThat(checkJson("{\"to\": \"ben@ifaxin.com\"}")).contains("\"to\" must be a non-empty array of addresses");
        assertThat(checkJson("{\"to\": []}")).contains("\"to\" must be a non-empty array of addresses");
        assertThat(checkJson("{\"to\": [\"not an address\"]}")).hasValueSatisfying(v -> assertThat(v).startsWith("\"to\" holds an invalid address"));
        assertThat(checkJson("{\"to\": [\"a@b.test\"], \"sub\": {\"%x%\": \"one\"}}")).contains("\"sub\" value of %x% must be an array");
        assertThat(checkJson("{\"to\": [\"a@b.test\"], \"sub\": {\"%x%\": [\"1\", \"2\"]}}")).contains("\"sub\" %x% has 2 values for 1 recipients");
        assertThat(checkJson("{\"sub\": {\"%x%\": [{\"o\":1}]}}")).contains("\"sub\" values of %x% must be strings or numbers");
        assertThat(checkJson("{\"section\": {\"s\": 1}}")).contains("\"section\" value of s must be a string");
        assertThat(checkJson("{\"section\": []}")).contains("\"section\" must be an object of strings");
        assertThat(checkJson("{\"filters\": {\"spam_tracking\": {\"settings\": {\"enable\": \"1\"}}}}")).contains("unknown filter spam_tracking");
        assertThat(checkJson("{\"filters\": {\"open_tracking\": {\"enable\": \"1\"}}}")).hasValueSatisfying(v -> assertThat(v).startsWith("filter open_tracking needs"));
        assertThat(checkJson("{\"To\": [\"a@b.test\"]}")).contains("unknown field \"To\"");
    }

    @Test
    void shouldRejectMoreThan100Recipients() {
        final StringBuilder to = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            to.append(i == 0 ? "" : ",").append("\"u").append(i).append("@b.test\"");
        }
        assertThat(checkJson("{\"to\":[" + to + "]}")).contains("\"to\" has 101 recipients, at most 100 allowed");
    }

    @Test
    void shouldMatchSubArraysAgainstEnvelopeWithoutTo() {
        final byte[] message = ("X-SMTPAPI: " + b64("{\"sub\":{\"%n%\":[\"a\",\"b\"]}}") + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(XSmtpApiValidator.validate(message, 2)).isEmpty();
        assertThat(XSmtpApiValidator.validate(message, 3)).isPresent();
    }
}
