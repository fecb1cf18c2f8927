package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunnerTest {

    @Test
    void shouldNameTheEnvironmentVariableOfAnInvalidKey() {
        assertThat(Runner.withVariable("Invalid value -5 for configuration mx.port: Value must be at least 1"))
                .endsWith("(set by MAILPIPE_MX_PORT)");
    }

    @Test
    void shouldLeaveMessagesThatNameTheVariableAlready() {
        final String message = "MAILPIPE_SMTP_PORT: Invalid value abc for configuration smtp.port: Not a number";
        assertThat(Runner.withVariable(message)).isEqualTo(message);
    }
}
