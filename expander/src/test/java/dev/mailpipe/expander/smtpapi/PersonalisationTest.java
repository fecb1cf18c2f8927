package dev.mailpipe.expander.smtpapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.core.smtpapi.FilterOverrides;
import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PersonalisationTest {

    private static XSmtpApi api(final Map<String, List<String>> sub, final Map<String, String> section) {
        return new XSmtpApi(Optional.empty(), sub, section, FilterOverrides.NONE);
    }

    @Test
    void shouldGiveRecipientIElementIOfEveryArray() throws Exception {
        final Personalisation p = Personalisation.of(api(
                Map.of("%name%", List.of("Ben", "Joe"), "%money%", List.of("288", "497")), Map.of()), 2);
        final int name = p.variables().indexOf("%name%");
        final int money = p.variables().indexOf("%money%");
        assertThat(p.valuesFor(1)[name]).isEqualTo("Joe");
        assertThat(p.valuesFor(1)[money]).isEqualTo("497");
        assertThat(p.valuesFor(0)[name]).isEqualTo("Ben");
    }

    @Test
    void shouldRejectAnArrayShorterThanTheRecipientList() {
        assertThatThrownBy(() -> Personalisation.of(api(Map.of("%name%", List.of("Ben")), Map.of()), 3))
                .isInstanceOf(XSmtpApiException.class)
                .hasMessage("\"sub\" %name% has 1 values for 3 recipients");
    }

    @Test
    void shouldIgnoreTheRestOfALongerArray() throws Exception {
        final Personalisation p = Personalisation.of(api(Map.of("%n%", List.of("a", "b", "c")), Map.of()), 2);
        assertThat(p.valuesFor(1)).containsExactly("b");
    }

    @Test
    void shouldReplaceSectionReferencesInValuesOneLevelOnly() throws Exception {
        final Personalisation p = Personalisation.of(api(
                Map.of("%w%", List.of("%silver%", "%golden%", "Dear %golden%!", "%unknown%")),
                Map.of("silver", "silver words %golden%", "golden", "golden words %silver%")), 4);
        assertThat(p.valuesFor(0)).containsExactly("silver words %golden%");
        assertThat(p.valuesFor(1)).containsExactly("golden words %silver%");
        assertThat(p.valuesFor(2)).containsExactly("Dear golden words %silver%!");
        assertThat(p.valuesFor(3)).containsExactly("%unknown%");
    }

    @Test
    void shouldHaveNoVariablesWithoutSub() throws Exception {
        assertThat(Personalisation.of(XSmtpApi.ABSENT, 5).variables()).isEmpty();
        assertThat(Personalisation.of(XSmtpApi.ABSENT, 5).valuesFor(4)).isEmpty();
    }
}
