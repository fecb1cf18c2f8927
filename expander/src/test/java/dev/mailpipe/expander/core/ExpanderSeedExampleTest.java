package dev.mailpipe.expander.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.expander.Submissions;
import dev.mailpipe.expander.mime.Mime;
import dev.mailpipe.schemas.OutboundEmail;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.Test;

/**
 * Seed 000's worked example of {@code section}: three recipients, four variables, two sections,
 * Chinese text in UTF-8. The outputs must read exactly as the seed prints them.
 */
class ExpanderSeedExampleTest {

    /**
     * The seed's body ("# 邮件内容"). Its second line is two spaces in the seed's template but four
     * spaces in each of the seed's outputs (a formatting slip in the document, invisible when
     * rendered); the template here uses the four spaces so the outputs can be compared byte for byte.
     */
    private static final String BODY = "亲爱的%name%:\n"
            + "    \n"
            + "    您好! 您本月在爱发信的消费金额为: %money% 元.\n"
            + "\n"
            + "    感谢%role%用户: %role_words%.\n";

    /**
     * The seed's X-SMTPAPI with its two JSON typos fixed (a missing comma after the %role% array, a
     * trailing comma in "section"): as printed, no JSON parser accepts it.
     */
    private static final String XSMTPAPI = """
            {
                "to": ["ben@ifaxin.com", "joe@ifaxin.com", "bida@ifaxin.com"],
                "sub":
                {
                    "%name%": ["Ben", "Joe", "Liubida"],
                    "%money%":[288, 497, 688],
                    "%role%":["银牌", "金牌", "金牌"],
                    "%role_words%":["%silver%", "%golden%", "%golden%"]
                },
                "section":
                {
                    "silver": "some words written to silver user, maybe it is verrrrrrrrry long",
                    "golden": "some words written to golden user, maybe it is verrrrrrrrry long, too"
                }
            }
            """;

    private static final String BEN = "亲爱的Ben:\n"
            + "    \n"
            + "    您好! 您本月在爱发信的消费金额为: 288 元.\n"
            + "\n"
            + "    感谢银牌用户: some words written to silver user, maybe it is verrrrrrrrry long.\n";
    private static final String JOE = "亲爱的Joe:\n"
            + "    \n"
            + "    您好! 您本月在爱发信的消费金额为: 497 元.\n"
            + "\n"
            + "    感谢金牌用户: some words written to golden user, maybe it is verrrrrrrrry long, too.\n";
    private static final String BIDA = "亲爱的Liubida:\n"
            + "    \n"
            + "    您好! 您本月在爱发信的消费金额为: 688 元.\n"
            + "\n"
            + "    感谢金牌用户: some words written to golden user, maybe it is verrrrrrrrry long, too.\n";

    private final Expander expander = new Expander("");

    /** As Python's {@code MIMEText(body, 'plain', 'utf-8')} in the seeds' examples sends it: base64. */
    private static String pythonStyleMessage(final String body) {
        return "Received: from client.example by mailpipe; Mon, 23 Nov 2026 16:00:00 +0000\r\n"
                + "Content-Type: text/plain; charset=\"utf-8\"\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Subject: =?utf-8?b?5oKo55qE6LSm5Y2V?=\r\n"
                + "From: support@ifaxin.com\r\n"
                + "To: d@163.com\r\n"
                + "SC-Custom-test_key1: value1\r\n"
                + Submissions.xsmtpapi(XSMTPAPI) + "\r\n"
                + "\r\n"
                + Base64.getMimeEncoder().encodeToString(body.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8))
                + "\r\n";
    }

    @Test
    void shouldProduceTheSeedsThreeEmailsExactly() throws Exception {
        final Expansion expansion = expander.expand(Submissions.raw(Submissions.MESSAGE_ID, List.of("d@163.com"),
                pythonStyleMessage(BODY)));

        assertThat(expansion).isInstanceOf(Expansion.Expanded.class);
        final List<OutboundEmail> emails = ((Expansion.Expanded) expansion).emails();
        assertThat(emails).extracting(OutboundEmail::getRecipient)
                .containsExactly("ben@ifaxin.com", "joe@ifaxin.com", "bida@ifaxin.com");
        assertThat(emails).extracting(OutboundEmail::getEmailId).containsExactly(
                Submissions.MESSAGE_ID + "0$ben@ifaxin.com",
                Submissions.MESSAGE_ID + "1$joe@ifaxin.com",
                Submissions.MESSAGE_ID + "2$bida@ifaxin.com");
        final List<String> texts = emails.stream().map(email -> Mime.text(Mime.parse(email))).toList();
        assertThat(texts).containsExactly(BEN.replace("\n", "\r\n"), JOE.replace("\n", "\r\n"),
                BIDA.replace("\n", "\r\n"));
        assertThat(emails).allSatisfy(email -> {
            final Message message = Mime.parse(email);
            assertThat(message.getHeader().getField("X-SMTPAPI")).isNull();
            assertThat(message.getHeader().getField("SC-Custom-test_key1")).isNull();
            assertThat(message.getSubject()).isEqualTo("您的账单");
            assertThat(message.getTo().toString()).contains(email.getRecipient());
            assertThat(email.getCustomHeaders()).containsEntry("SC-Custom-test_key1", "value1");
        });
    }

    @Test
    void shouldMatchTheSeedsOutputsFromItsVerbatimTemplateUpToTrailingBlanks() {
        final String verbatim = BODY.replace("\n    \n", "\n  \n");
        final Expansion expansion = expander.expand(Submissions.raw(Submissions.MESSAGE_ID, List.of("d@163.com"),
                pythonStyleMessage(verbatim)));
        final List<String> texts = ((Expansion.Expanded) expansion).emails().stream()
                .map(email -> stripTrailingBlanks(Mime.text(Mime.parse(email)).replace("\r\n", "\n"))).toList();
        assertThat(texts).containsExactly(stripTrailingBlanks(BEN), stripTrailingBlanks(JOE),
                stripTrailingBlanks(BIDA));
    }

    private static String stripTrailingBlanks(final String text) {
        return text.lines().map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
