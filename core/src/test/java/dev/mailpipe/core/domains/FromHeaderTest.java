package dev.mailpipe.core.domains;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FromHeaderTest {

    private static byte[] msg(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadTheAddressOfADisplayNameForm() {
        assertThat(FromHeader.addresses(msg("Subject: x\r\nFrom: \"Shop, Inc <x@evil.example>\" <news@Shop.Example>\r\n\r\nbody")))
                .containsExactly("news@Shop.Example");
        assertThat(FromHeader.domains(msg("From: \"Shop\" <news@Shop.Example>\r\n\r\n"))).containsExactly("shop.example");
    }

    @Test
    void shouldReadBareAddressesListsCommentsAndFolding() {
        assertThat(FromHeader.addresses(msg("From: a@one.example (a@comment.example),\r\n\tBen <b@two.example>\r\n\r\n")))
                .containsExactly("a@one.example", "b@two.example");
    }

    @Test
    void shouldIgnoreFromLinesInTheBody() {
        assertThat(FromHeader.addresses(msg("Subject: x\n\nFrom: a@body.example\n"))).isEmpty();
    }

    @Test
    void shouldReadUtf8DisplayNames() {
        assertThat(FromHeader.domains(msg("From: Jürgen Müller <j@bücher.example>\r\n\r\n")))
                .containsExactly("xn--bcher-kva.example");
    }
}
