package dev.mailpipe.core.domains;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.domains.SenderAuthorisation.Allowed;
import dev.mailpipe.core.domains.SenderAuthorisation.Mode;
import dev.mailpipe.core.domains.SenderAuthorisation.Refused;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SenderAuthorisationTest {

    private static final Map<String, String> OWNERS = Map.of("shop.example", "shop", "other.example", "other");
    private final SenderAuthorisation enforce = new SenderAuthorisation(Mode.ENFORCE,
            d -> Optional.ofNullable(OWNERS.get(d)));

    @Test
    void shouldAllowTheAccountsDomainAndItsSubdomains() {
        assertThat(enforce.checkEnvelope("shop", "bounce@Shop.example")).isInstanceOf(Allowed.class);
        assertThat(enforce.checkEnvelope("shop", "bounce@mail.shop.example")).isInstanceOf(Allowed.class);
        assertThat(enforce.checkFrom("shop", "From: News <news@shop.example>\r\n\r\nhi".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Allowed.class);
    }

    @Test
    void shouldRefuseAnotherAccountsDomainNamingIt() {
        final var verdict = enforce.checkFrom("shop", "From: <ceo@other.example>\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(verdict).isInstanceOf(Refused.class);
        assertThat(((Refused) verdict).text()).contains("other.example").contains("From:");
        assertThat(enforce.checkEnvelope("shop", "x@unknown.example")).isEqualTo(new Refused("unknown.example", "envelope sender"));
    }

    @Test
    void shouldAllowTheNullSenderAndEverythingInAnyMode() {
        assertThat(enforce.checkEnvelope("shop", "")).isInstanceOf(Allowed.class);
        final SenderAuthorisation any = new SenderAuthorisation(Mode.ANY, d -> Optional.empty());
        assertThat(any.check("shop", "x@unknown.example", "From: a@b.example\r\n\r\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Allowed.class);
    }

    @Test
    void shouldParseTheModeAsTheVariableIsWritten() {
        assertThat(Mode.of("enforce")).isEqualTo(Mode.ENFORCE);
        assertThat(Mode.of(" Any ")).isEqualTo(Mode.ANY);
    }
}
