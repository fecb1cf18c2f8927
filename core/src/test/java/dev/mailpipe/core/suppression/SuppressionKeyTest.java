package dev.mailpipe.core.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SuppressionKeyTest {

    @Test
    void shouldScopeByAccountAndIgnoreCaseAndBrackets() {
        assertThat(SuppressionKey.of("shop", " <Ben@IFaxin.com> ")).isEqualTo("shop/ben@ifaxin.com");
        assertThat(SuppressionKey.of("shop", "ben@ifaxin.com")).isNotEqualTo(SuppressionKey.of("other", "ben@ifaxin.com"));
    }
}
