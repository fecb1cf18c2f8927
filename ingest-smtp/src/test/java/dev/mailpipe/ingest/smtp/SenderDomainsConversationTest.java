package dev.mailpipe.ingest.smtp;

import dev.mailpipe.core.domains.SenderAuthorisation;
import dev.mailpipe.core.domains.SenderAuthorisation.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** MAILPIPE_SENDER_DOMAINS=enforce in the session: envelope sender and From: must be the account's domains. */
class SenderDomainsConversationTest {

    private static final Map<String, String> OWNERS = Map.of("ifaxin.com", "api_user", "other.example", "other");
    private final List<String> refused = new ArrayList<>();
    private final Conversation c = new Conversation(new SenderAuthorisation(Mode.ENFORCE,
            d -> Optional.ofNullable(OWNERS.get(d)), (user, r) -> refused.add(user + " " + r.domain())));

    private Conversation authenticated() {
        return c.login();
    }

    @Test
    void shouldRefuseAnEnvelopeSenderOfAnotherAccountsDomainNamingIt() {
        authenticated().send("MAIL FROM:<ceo@other.example>")
                .expect("550 5.7.1 sender domain other.example (envelope sender) is not registered to this account;"
                        + " add it with ./mailpipe domains add");
        assertThat(refused).containsExactly("api_user other.example");
        assertThat(c.queued).isEmpty();
    }

    @Test
    void shouldRefuseAFromHeaderOfAnUnregisteredDomainAtTheEndOfData() {
        authenticated().send("MAIL FROM:<bounce@news.ifaxin.com>").expectCode(250)
                .send("RCPT TO:<ben@example.test>").expectCode(250)
                .send("DATA").expectCode(354);
        c.sendData("From: Boss <boss@unknown.example>\r\nSubject: hi\r\n\r\nbody\r\n.\r\n");
        assertThat(c.replies()).singleElement().asString()
                .startsWith("550 5.7.1 sender domain unknown.example (From: header) is not registered");
        assertThat(c.queued).isEmpty();
    }

    @Test
    void shouldQueueMailFromTheAccountsDomainAndItsSubdomains() {
        authenticated().send("MAIL FROM:<support@ifaxin.com>").expectCode(250)
                .send("RCPT TO:<ben@example.test>").expectCode(250)
                .send("DATA").expectCode(354);
        c.sendData("From: \"Ifaxin\" <news@mail.ifaxin.com>\r\nSubject: hi\r\n\r\nbody\r\n.\r\n");
        c.expectCode(250);
        assertThat(c.queued).hasSize(1);
        assertThat(refused).isEmpty();
    }
}
