package dev.mailpipe.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MailboxTest {

    @Test
    void shouldAcceptDotAtomsAndQuotedLocalParts() throws Exception {
        for (final String address : List.of("ben@ifaxin.com", "Ben.Smith+tag@Mail.Example.COM", "a!#$%&'*+-/=?^_`{|}~@x.test",
                "\"a b\"@example.com", "\"a\\\"b\\\\c\"@example.com", "\"john..doe\"@example.com", "user@localhost")) {
            assertThat(Mailbox.parse(address, false).address()).isEqualTo(address);
        }
        assertThat(Mailbox.parse("\"a b\"@example.com", false).localPart()).isEqualTo("\"a b\"");
    }

    @Test
    void shouldRefuseBadSyntax() {
        for (final String address : List.of("", "ben", "@x.test", "ben@", "a b@x.test", ".a@x.test", "a.@x.test",
                "a..b@x.test", "a@b@x.test", "\"a@x.test", "\"\"@x.test", "a@x..test", "a@x_y.test", "a@.x.test",
                "a@x.test.", "a<b@x.test", "a,b@x.test", "a@x.test\r\nBcc: e@x.test", "\"a\"b@x.test")) {
            assertThatThrownBy(() -> Mailbox.parse(address, true)).as(address).isInstanceOfSatisfying(
                    AddressException.class, e -> assertThat(e.problem()).isEqualTo(AddressException.Problem.SYNTAX));
        }
    }

    @Test
    void shouldRefuseAddressLiteralsWithTheirOwnProblem() {
        for (final String address : List.of("a@[192.0.2.1]", "a@[IPv6:2001:db8::1]")) {
            assertThatThrownBy(() -> Mailbox.parse(address, false)).isInstanceOfSatisfying(AddressException.class,
                    e -> assertThat(e.problem()).isEqualTo(AddressException.Problem.ADDRESS_LITERAL));
        }
    }

    @Test
    void shouldNeedSmtputf8ForNonAsciiAndGiveALabels() throws Exception {
        for (final String address : List.of("jörg@example.com", "info@bücher.example", "用户@例子.广告")) {
            assertThatThrownBy(() -> Mailbox.parse(address, false)).isInstanceOfSatisfying(AddressException.class,
                    e -> assertThat(e.problem()).isEqualTo(AddressException.Problem.NEEDS_SMTPUTF8));
            assertThat(Mailbox.parse(address, true).isAscii()).isFalse();
        }
        final Mailbox idn = Mailbox.parse("info@Bücher.example", true);
        assertThat(idn.hasAsciiLocalPart()).isTrue();
        assertThat(idn.asciiDomain()).isEqualTo("xn--bcher-kva.example");
        assertThat(idn.withAsciiDomain()).isEqualTo("info@xn--bcher-kva.example");
        assertThat(Mailbox.parse("Ben@IFaxin.COM", false).asciiDomain()).isEqualTo("ifaxin.com");
    }

    @Test
    void shouldRefuseTooLongParts() {
        assertThatThrownBy(() -> Mailbox.parse("a".repeat(65) + "@x.test", false)).isInstanceOfSatisfying(
                AddressException.class, e -> assertThat(e.problem()).isEqualTo(AddressException.Problem.TOO_LONG));
        assertThatThrownBy(() -> Mailbox.parse("a@" + "b".repeat(64) + ".test", false))
                .isInstanceOf(AddressException.class);
    }

    @Test
    void shouldSplitPathsWithQuotedLocalParts() {
        assertThat(PathArgument.parse("<\"a b>c\"@example.com> SMTPUTF8"))
                .contains(new PathArgument("\"a b>c\"@example.com", "SMTPUTF8"));
        assertThat(PathArgument.parse(" <ben@x.test>")).contains(new PathArgument("ben@x.test", ""));
        assertThat(PathArgument.parse("\"a b\"@x.test SIZE=10")).contains(new PathArgument("\"a b\"@x.test", "SIZE=10"));
        assertThat(PathArgument.parse("<@relay.test:ben@x.test>")).contains(new PathArgument("ben@x.test", ""));
        assertThat(PathArgument.parse("<>")).contains(new PathArgument("", ""));
        assertThat(PathArgument.parse("<ben@x.test")).isEqualTo(Optional.empty());
        assertThat(PathArgument.parse("")).isEqualTo(Optional.empty());
    }
}
