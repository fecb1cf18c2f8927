package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void shouldClassify2xxAsDelivered() {
        assertThat(Outcome.ofReply("mx", SmtpReply.of(250, List.of("2.0.0 Ok: queued as 4711"))))
                .isInstanceOf(Outcome.Delivered.class);
    }

    @Test
    void shouldClassify4xxAsDeferredKeepingTheEnhancedStatus() {
        final Outcome outcome = Outcome.ofReply("mx", SmtpReply.of(451, List.of("4.7.1 Greylisted, come back later")));

        assertThat(outcome).isInstanceOf(Outcome.Deferred.class);
        assertThat(outcome.reply().enhancedStatus()).isEqualTo("4.7.1");
        assertThat(outcome.reply().text()).isEqualTo("Greylisted, come back later");
        assertThat(outcome.remote()).isTrue();
    }

    @Test
    void shouldClassify5xxAsBounced() {
        final Outcome outcome = Outcome.ofReply("mx", SmtpReply.of(550, List.of("5.1.1 <x@y>: user unknown")));

        assertThat(outcome).isInstanceOf(Outcome.Bounced.class);
        assertThat(outcome.reply().code()).isEqualTo(550);
        assertThat(outcome.reply().enhancedStatus()).isEqualTo("5.1.1");
    }

    @Test
    void shouldDeferAnUnexpectedIntermediateReply() {
        assertThat(Outcome.ofReply("mx", SmtpReply.of(354, List.of("go on")))).isInstanceOf(Outcome.Deferred.class);
    }

    @Test
    void shouldMarkLocalFailuresAsNotRemote() {
        final Outcome outcome = Outcome.localDeferral("mx", "4.4.1", "connect refused");

        assertThat(outcome).isInstanceOf(Outcome.Deferred.class);
        assertThat(outcome.remote()).isFalse();
        assertThat(Outcome.localBounce(null, "5.1.2", "NXDOMAIN")).isInstanceOf(Outcome.Bounced.class);
    }

    @Test
    void shouldIgnoreAnEnhancedCodeOfTheWrongClass() {
        final SmtpReply reply = SmtpReply.of(250, List.of("5.0.0 odd but seen in the wild"));

        assertThat(reply.enhancedStatus()).isNull();
        assertThat(reply.text()).isEqualTo("5.0.0 odd but seen in the wild");
    }
}
