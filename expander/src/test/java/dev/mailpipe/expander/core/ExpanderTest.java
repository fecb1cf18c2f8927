package dev.mailpipe.expander.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.tracking.TokenKeys;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.core.tracking.TrackingTokens;
import dev.mailpipe.expander.Submissions;
import dev.mailpipe.expander.mime.Mime;
import dev.mailpipe.expander.tracking.Tracker;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.TrackingFilters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.Test;

class ExpanderTest {

    private final Expander expander = new Expander("");

    private List<OutboundEmail> emails(final Expansion expansion) {
        assertThat(expansion).isInstanceOf(Expansion.Expanded.class);
        return ((Expansion.Expanded) expansion).emails();
    }

    private static String headerBlock(final OutboundEmail email) {
        final String text = new String(Mime.bytes(email), StandardCharsets.UTF_8);
        return text.substring(0, text.indexOf("\r\n\r\n") + 2);
    }

    @Test
    void shouldLetXSmtpApiToReplaceTheEnvelopeAndIndexByTheFinalList() {
        final List<OutboundEmail> emails = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("envelope@ifaxin.com"), Submissions.message("Hi\n",
                        Submissions.xsmtpapi("{\"to\": [\"ben@ifaxin.com\", \"joe@Example.TEST\"]}")))));

        assertThat(emails).extracting(OutboundEmail::getEmailId).containsExactly(
                Submissions.MESSAGE_ID + "0$ben@ifaxin.com", Submissions.MESSAGE_ID + "1$joe@Example.TEST");
        assertThat(emails).extracting(OutboundEmail::getRecipientDomain).containsExactly("ifaxin.com", "example.test");
        assertThat(Mime.parse(emails.get(1)).getTo().toString()).isEqualTo("[joe@Example.TEST]");
        assertThat(headerBlock(emails.get(0))).doesNotContain("joe@").doesNotContain("X-SMTPAPI");
    }

    @Test
    void shouldCarrySmtputf8AndKeyInternationalisedDomainsByTheirALabel() {
        final RawMessage raw = Submissions.raw(Submissions.MESSAGE_ID, List.of("jörg@Bücher.example"),
                Submissions.message("Hi\n"));
        raw.setSmtputf8(true);
        final OutboundEmail email = emails(expander.expand(raw)).get(0);
        assertThat(email.getSmtputf8()).isTrue();
        assertThat(email.getRecipient()).isEqualTo("jörg@Bücher.example");
        assertThat(email.getRecipientDomain()).isEqualTo("xn--bcher-kva.example");

        raw.setSmtputf8(false); // a record that did not ask for it cannot carry a UTF-8 address
        assertThat(expander.expand(raw)).isInstanceOf(Expansion.Invalid.class);
    }

    @Test
    void shouldNeverPutAnEnvelopeOnlyRecipientIntoAnyHeader() {
        final String content = "From: support@ifaxin.com\r\nTo: ben@ifaxin.com\r\nBcc: boss@secret.test\r\n"
                + "Subject: report\r\n\r\nHi\r\n";
        final List<OutboundEmail> emails = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com", "boss@secret.test"), content)));

        assertThat(emails).extracting(OutboundEmail::getRecipient).containsExactly("ben@ifaxin.com", "boss@secret.test");
        assertThat(emails).allSatisfy(email -> assertThat(headerBlock(email)).doesNotContain("boss@secret.test")
                .doesNotContainIgnoringCase("bcc"));
    }

    @Test
    void shouldGiveEachEmailItsOwnMessageId() {
        final List<OutboundEmail> emails = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com", "b@ifaxin.com", "c@ifaxin.com"), Submissions.message("Hi\n"))));

        final List<String> ids = emails.stream().map(email -> Mime.parse(email).getMessageId()).toList();
        assertThat(ids).doesNotHaveDuplicates().doesNotContain("<original@client.example>");
        assertThat(ids.get(2)).isEqualTo("<" + Submissions.MESSAGE_ID + ".2@ifaxin.com>");
        final Expander configured = new Expander("mail.example.test");
        assertThat(emails(configured.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com", "b@ifaxin.com"), Submissions.message("Hi\n")))))
                .extracting(email -> Mime.parse(email).getMessageId())
                .containsExactly("<" + Submissions.MESSAGE_ID + ".0@mail.example.test>",
                        "<" + Submissions.MESSAGE_ID + ".1@mail.example.test>");
        // one email: the client's Message-ID is the one delivered (and on the record for the events)
        final OutboundEmail single = emails(configured.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com"), Submissions.message("Hi\n")))).get(0);
        assertThat(Mime.parse(single).getMessageId()).isEqualTo("<original@client.example>");
        assertThat(single.getInternetMessageId()).isEqualTo("original@client.example");
    }

    private static RawMessage withAccountFilters(final TrackingFilters defaults, final String xsmtpapiJson) {
        return RawMessage.newBuilder(Submissions.raw(Submissions.MESSAGE_ID, List.of("a@ifaxin.com"),
                Submissions.message("Hi\n", Submissions.xsmtpapi(xsmtpapiJson))))
                .setAccountFilters(defaults)
                .build();
    }

    @Test
    void shouldKeepTheAccountsDefaultsThatXSmtpApiDoesNotSet() {
        final List<OutboundEmail> emails = emails(expander.expand(withAccountFilters(new TrackingFilters(false, true, false),
                "{\"filters\": {\"click_tracking\": {\"settings\": {\"enable\": \"1\"}}}}")));

        assertThat(emails.get(0).getFilters()).isEqualTo(new TrackingFilters(false, true, true));
    }

    @Test
    void shouldLetXSmtpApiTurnOffAnAccountDefault() {
        final List<OutboundEmail> emails = emails(expander.expand(withAccountFilters(new TrackingFilters(true, true, false),
                "{\"filters\": {\"open_tracking\": {\"settings\": {\"enable\": \"0\"}},"
                        + " \"click_tracking\": {\"settings\": {\"enable\": \"1\"}}}}")));

        assertThat(emails.get(0).getFilters()).isEqualTo(new TrackingFilters(true, false, true));
    }

    @Test
    void shouldTreatASubmissionWithoutAccountFiltersAsAllOff() {
        final List<OutboundEmail> plain = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com"), Submissions.message("Hi\n"))));
        assertThat(plain.get(0).getFilters()).isEqualTo(new TrackingFilters(false, false, false));

        final List<OutboundEmail> clicked = emails(expander.expand(withAccountFilters(null,
                "{\"filters\": {\"click_tracking\": {\"settings\": {\"enable\": \"1\"}}}}")));
        assertThat(clicked.get(0).getFilters()).isEqualTo(new TrackingFilters(false, false, true));
    }

    @Test
    void shouldCarryScCustomHeadersOnTheRecordNotInTheMessage() {
        final List<OutboundEmail> emails = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com"), Submissions.message("Hi\n", "SC-Custom-test_key1: value1",
                        "SC-Custom-test_key2: =?UTF-8?B?5YC8?="))));

        assertThat(emails.get(0).getCustomHeaders()).containsEntry("SC-Custom-test_key1", "value1")
                .containsEntry("SC-Custom-test_key2", "值");
        assertThat(headerBlock(emails.get(0))).doesNotContain("SC-Custom");
    }

    @Test
    void shouldRejectTwoXSmtpApiHeadersAndSubmissionsWithoutRecipients() {
        assertThat(expander.expand(Submissions.raw(Submissions.MESSAGE_ID, List.of("a@ifaxin.com"),
                Submissions.message("Hi\n", Submissions.xsmtpapi("{}"), Submissions.xsmtpapi("{}")))))
                .isEqualTo(new Expansion.Invalid("xsmtpapi error: more than one X-SMTPAPI header"));
        assertThat(expander.expand(Submissions.raw(Submissions.MESSAGE_ID, List.of(), Submissions.message("Hi\n"))))
                .isEqualTo(new Expansion.Invalid("no recipients"));
    }

    @Test
    void shouldAcceptXSmtpApiAnywhereInTheHeader() {
        final String content = "Received: x\r\n" + Submissions.xsmtpapi(
                "{\"to\": [\"ben@ifaxin.com\"], \"sub\": {\"%name%\": [\"Ben\"]}}") + "\r\nSubject: Hi %name%\r\n\r\nBody\r\n";
        final Message message = Mime.parse(emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("x@ifaxin.com"), content))).get(0));
        assertThat(message.getSubject()).isEqualTo("Hi Ben");
    }

    @Test
    void shouldExpandTheSameSubmissionToTheSameBytesEveryTime() {
        final var raw = Submissions.raw(Submissions.MESSAGE_ID, List.of("x@ifaxin.com"), Submissions.message(
                "Hi %name%\n", Submissions.xsmtpapi("{\"to\": [\"ben@ifaxin.com\"], \"sub\": {\"%name%\": [\"金牌\"]}}")));
        assertThat(emails(expander.expand(raw))).isEqualTo(emails(expander.expand(raw)));
    }

    @Test
    void shouldRejectASubmissionWhoseEmailWouldOutgrowTheRecordLimit() {
        final Expander small = new Expander("", 4096);
        final var raw = Submissions.raw(Submissions.MESSAGE_ID, List.of("x@ifaxin.com"), Submissions.message(
                "%v% %v% %v%\n", Submissions.xsmtpapi("{\"sub\": {\"%v%\": [\"" + "x".repeat(2000) + "\"]}}")));

        assertThat(small.expand(raw)).isInstanceOfSatisfying(Expansion.Invalid.class, invalid ->
                assertThat(invalid.reason()).startsWith("email 0 would be ").endsWith("more than 4096 after substitution"));
    }

    @Test
    void shouldAddADateFromTheSubmissionTimeOnlyWhenTheMessageHasNone() {
        final List<OutboundEmail> undated = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com"), "From: support@ifaxin.com\r\nSubject: hi\r\n\r\nHi\r\n")));
        assertThat(headerBlock(undated.get(0))).contains("Date: Sat, 7 Mar 2015 20:03:12 +0000\r\n");

        final List<OutboundEmail> dated = emails(expander.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("a@ifaxin.com"), "Date: Mon, 23 Nov 2026 16:00:00 +0800\r\nSubject: hi\r\n\r\nHi\r\n")));
        assertThat(headerBlock(dated.get(0))).containsOnlyOnce("Date:").contains("Date: Mon, 23 Nov 2026 16:00:00 +0800");
    }

    @Test
    void shouldTrackEachEmailAfterSubstitutionWithItsOwnTokens() {
        final TrackingTokens tokens = new TrackingTokens(TokenKeys.parse(TokenKeys.format("k", new byte[32])));
        final Expander tracking = new Expander("", new Tracker("https://t.test", tokens, true, "Unsubscribe"));
        final List<OutboundEmail> emails = emails(tracking.expand(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("envelope@ifaxin.com"), Submissions.message("Hi, see https://shop.test/?u=%id% now\n",
                        "SC-Custom-order: 42", Submissions.xsmtpapi("{\"to\": [\"ben@ifaxin.com\", \"joe@ifaxin.com\"],"
                                + " \"sub\": {\"%id%\": [\"1\", \"2\"]}, \"filters\": {\"click_tracking\":"
                                + " {\"settings\": {\"enable\": \"1\"}}}}")))));

        for (int i = 0; i < 2; i++) {
            final String text = new String(Mime.bytes(emails.get(i)), StandardCharsets.UTF_8);
            final java.util.regex.Matcher link = java.util.regex.Pattern.compile("https://t\\.test/c/([A-Za-z0-9_-]+)")
                    .matcher(text);
            assertThat(link.find()).as(text).isTrue();
            final TrackingToken token = tokens.verify(link.group(1)).orElseThrow();
            assertThat(token.url()).isEqualTo("https://shop.test/?u=" + (i + 1));
            assertThat(token.emailId()).isEqualTo(emails.get(i).getEmailId());
            assertThat(token.recipient()).isEqualTo(emails.get(i).getRecipient());
            assertThat(token.customHeaders()).containsEntry("SC-Custom-order", "42");
            assertThat(text).doesNotContain("List-Unsubscribe").doesNotContain("https://shop.test/");
        }
    }

    @Test
    void shouldLeaveTheEmailAsRenderedWhenNoFilterIsOn() {
        final TrackingTokens tokens = new TrackingTokens(TokenKeys.parse(TokenKeys.format("k", new byte[32])));
        final RawMessage raw = Submissions.raw(Submissions.MESSAGE_ID, List.of("ben@ifaxin.com"),
                Submissions.message("see https://shop.test/\n"));

        assertThat(Mime.bytes(emails(new Expander("", new Tracker("https://t.test", tokens, true, "x")).expand(raw))
                .getFirst())).isEqualTo(Mime.bytes(emails(expander.expand(raw)).getFirst()));
    }

    @Test
    void shouldWriteTheAccountsOwnFooterTextWhenTheSubmissionCarriesOne() {
        final TrackingTokens tokens = new TrackingTokens(TokenKeys.parse(TokenKeys.format("k", new byte[32])));
        final Expander tracking = new Expander("", new Tracker("https://t.test", tokens, true, "Unsubscribe"));
        final RawMessage own = RawMessage.newBuilder(withAccountFilters(new TrackingFilters(true, false, false), "{}"))
                .setAccountFooterText("Keine Post mehr").build();

        final String text = new String(Mime.bytes(emails(tracking.expand(own)).getFirst()), StandardCharsets.UTF_8);
        final String fallback = new String(Mime.bytes(emails(tracking.expand(
                withAccountFilters(new TrackingFilters(true, false, false), "{}"))).getFirst()), StandardCharsets.UTF_8);

        assertThat(text).containsPattern("Keine Post mehr: https://t\\.test/u/").doesNotContain("\nUnsubscribe:");
        assertThat(fallback).containsPattern("Unsubscribe: https://t\\.test/u/");
    }
}
