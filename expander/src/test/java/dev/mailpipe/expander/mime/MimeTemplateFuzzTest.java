package dev.mailpipe.expander.mime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Coverage-guided companion of {@link MessageTemplateFuzzTest}: the MIME template parses any
 * bytes and renders every recipient's email without an exception (an exception would dead-letter a
 * deliverable submission), and the general text path and the line plans agree. Regression over {@code MimeTemplateFuzzTestInputs} in every
 * build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class MimeTemplateFuzzTest {

    private static final Variables VARIABLES = Variables.of(List.of("%name%", "%money%"));

    @FuzzTest(maxDuration = "60s")
    void parseAndRender(final FuzzedDataProvider data) {
        final boolean rewriteTo = data.consumeBoolean();
        final String name = data.consumeString(40);
        final String money = data.consumeString(20);
        final byte[] message = data.consumeRemainingAsBytes();
        final Personal personal = new Personal("ben@ifaxin.com", "<m.1@fuzz.test>", new String[] {name, money});

        final byte[] planned = MessageTemplate.parse(message, VARIABLES, rewriteTo, "Mon, 1 Jan 2024 00:00:00 +0000")
                .render(personal);
        final byte[] general = MessageTemplate.parse(message, VARIABLES, rewriteTo, "Mon, 1 Jan 2024 00:00:00 +0000",
                false).render(personal);
        assertThat(planned).isNotEmpty();
        assertThat(general).as("line plans and the general text path render the same email").isEqualTo(planned);
    }
}
