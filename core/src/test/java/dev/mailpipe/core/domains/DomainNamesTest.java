package dev.mailpipe.core.domains;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DomainNamesTest {

    @Test
    void shouldNormaliseCaseTrailingDotAndUnicode() {
        assertThat(DomainNames.normalise("Shop.Example.")).contains("shop.example");
        assertThat(DomainNames.normalise("bücher.example")).contains("xn--bcher-kva.example");
    }

    @Test
    void shouldRefuseWhatIsNotAHostName() {
        assertThat(DomainNames.normalise("localhost")).isEmpty();
        assertThat(DomainNames.normalise("a..example")).isEmpty();
        assertThat(DomainNames.normalise("[192.0.2.1]")).isEmpty();
        assertThat(DomainNames.normalise("-bad.example")).isEmpty();
        assertThat(DomainNames.normalise("")).isEmpty();
    }

    @Test
    void shouldListParentsDownToTwoLabels() {
        assertThat(DomainNames.selfAndParents("a.news.Shop.example"))
                .containsExactly("a.news.shop.example", "news.shop.example", "shop.example");
    }

    @Test
    void shouldFindTheClosestRegistration() {
        final Map<String, String> registered = Map.of("shop.example", "shop", "eu.shop.example", "eu-team");
        assertThat(DomainNames.closest("news.shop.example", d -> Optional.ofNullable(registered.get(d)))).contains("shop");
        assertThat(DomainNames.closest("x.eu.shop.example", d -> Optional.ofNullable(registered.get(d))))
                .contains("eu-team");
        assertThat(DomainNames.closest("other.example", d -> Optional.ofNullable(registered.get(d)))).isEmpty();
    }
}
