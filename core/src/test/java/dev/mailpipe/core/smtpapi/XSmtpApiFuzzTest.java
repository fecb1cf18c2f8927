package dev.mailpipe.core.smtpapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The X-SMTPAPI reading on arbitrary messages and header values: it either returns a value within
 * the documented limits or refuses with {@link XSmtpApiException}; anything else (a runtime
 * exception, a stack overflow on deep JSON) would turn a client's bad header into a 4xx/5xx of the
 * wrong kind or a dead-lettered submission. Regression over {@code XSmtpApiFuzzTestInputs} in every
 * build; {@code JAZZER_FUZZ=1} fuzzes (README "Fuzz tests").
 */
class XSmtpApiFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void wholeMessage(final FuzzedDataProvider data) {
        final int recipients = data.consumeInt(0, 200);
        final boolean smtputf8 = data.consumeBoolean();
        final byte[] message = data.consumeRemainingAsBytes();
        try {
            check(XSmtpApiHeader.read(message, recipients, smtputf8));
        } catch (final XSmtpApiException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "60s")
    void headerValue(final FuzzedDataProvider data) {
        final int recipients = data.consumeInt(0, 200);
        final boolean smtputf8 = data.consumeBoolean();
        final boolean encode = data.consumeBoolean();
        final String json = data.consumeRemainingAsString();
        final String value = encode
                ? Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
                : json;
        try {
            check(XSmtpApiHeader.parseValue(value, recipients, smtputf8));
        } catch (final XSmtpApiException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    private static void check(final XSmtpApi api) {
        assertThat(api).isNotNull();
        api.to().ifPresent(to -> assertThat(to).hasSizeLessThanOrEqualTo(XSmtpApiHeader.MAX_RECIPIENTS));
    }
}
