package dev.mailpipe.core.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListChunkTest {

    private static final String BODY = "From: news@shop.example\r\nTo: team@maillist.example\r\nSubject: Hi %name%\r\n"
            + "\r\nYou have %money% points.\r\n";

    @Test
    void shouldGiveTheMembersAsToAndTheirVarsAsSub() throws Exception {
        final byte[] out = ListChunk.content(BODY.getBytes(StandardCharsets.UTF_8), List.of(
                new ListChunk.Member("ann@x.example", "Ann", Map.of("%money%", "10")),
                new ListChunk.Member("bob@x.example", "", Map.of())));

        final XSmtpApi api = XSmtpApiHeader.read(out, 0, false);
        assertThat(api.to()).hasValue(List.of("ann@x.example", "bob@x.example"));
        assertThat(api.sub()).containsEntry("%money%", List.of("10", ""))
                .containsEntry("%name%", List.of("Ann", ""));
        // everything but the new field is the template, byte for byte
        final String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text.substring(text.indexOf("From: "))).isEqualTo(BODY);
    }

    @Test
    void shouldKeepTheTemplatesFiltersAndReplaceItsField() throws Exception {
        final String filters = "{\"filters\":{\"open_tracking\":{\"settings\":{\"enable\":\"1\"}}}}";
        final String template = "X-SMTPAPI: " + Base64.getEncoder().encodeToString(filters.getBytes(StandardCharsets.UTF_8))
                + "\r\n" + BODY;

        final byte[] out = ListChunk.content(template.getBytes(StandardCharsets.UTF_8),
                List.of(new ListChunk.Member("ann@x.example", null, null)));

        final XSmtpApi api = XSmtpApiHeader.read(out, 0, false);
        assertThat(api.to()).hasValue(List.of("ann@x.example"));
        assertThat(api.sub()).isEmpty();
        assertThat(api.filters().openTracking()).hasValue(true);
        assertThat(new String(out, StandardCharsets.UTF_8)).containsOnlyOnce("X-SMTPAPI:");
    }

    @Test
    void shouldRefuseATemplateWithItsOwnRecipientsOrValues() {
        final String sub = "X-SMTPAPI: " + Base64.getEncoder().encodeToString(
                "{\"sub\":{\"%a%\":[\"1\"]}}".getBytes(StandardCharsets.UTF_8)) + "\r\n" + BODY;
        assertThatThrownBy(() -> ListChunk.checkTemplate(sub.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(XSmtpApiException.class).hasMessageContaining("members");
        assertThatThrownBy(() -> ListChunk.content(BODY.getBytes(StandardCharsets.UTF_8), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldPutAllMembersOfAListInOnePartition() {
        final int p = ListKeys.partition("shop", "Team@MailList.example", 6);
        assertThat(ListKeys.partition("shop", "team@maillist.example ", 6)).isEqualTo(p);
        assertThat(ListKeys.member("shop", "Team@MailList.example", "Ann@X.example"))
                .isEqualTo("shop|team@maillist.example|ann@x.example")
                .startsWith(ListKeys.memberPrefix("shop", "team@maillist.example"));
    }
}
