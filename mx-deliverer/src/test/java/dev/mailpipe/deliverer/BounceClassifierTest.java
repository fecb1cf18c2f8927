package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.schemas.BounceClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BounceClassifierTest {

    @ParameterizedTest(name = "{0} {1} is {2}")
    @CsvSource(nullValues = "-", value = {
        "550, 5.1.1, hard",   // bad destination mailbox (no such user)
        "550, 5.1.2, hard",   // bad destination system (domain does not exist)
        "553, 5.1.3, hard",   // bad destination mailbox address syntax
        "550, 5.1.6, hard",   // mailbox has moved
        "550, 5.1.10, hard",  // null MX (RFC 7505)
        "550, 5.2.1, hard",   // mailbox disabled
        "550, 5.01.001, hard", // leading zeros some servers write
        "552, 5.2.2, soft",   // mailbox full
        "552, 5.3.4, soft",   // message too big
        "550, 5.7.1, soft",   // policy / content refusal: the address may be fine
        "554, 5.7.26, soft",  // DMARC: ours to fix, not the recipient's
        "550, 5.4.4, soft",   // unable to route (may be our own address policy)
        "550, 5.1.7, soft",   // bad sender address: the sender's problem
        "554, 5.0.0, soft",
        "551, -, hard",       // user not local, no enhanced code
        "553, -, hard",       // mailbox name not allowed
        "550, -, soft",       // a bare 550 is as often policy as unknown user
        "554, -, soft",
    })
    void shouldClassifyAPermanentFailure(final int code, final String enhanced, final BounceClass expected) {
        assertThat(BounceClassifier.classify(SmtpReply.of(code, enhanced, "text"))).isEqualTo(expected);
    }
}
