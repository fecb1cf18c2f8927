package dev.mailpipe.core.domains;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.IDN;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
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

    @Test
    void shouldAgreeWithIdnaAndTheLabelPatternOnAnyName() {
        // the hand-written label check and the ASCII fast path against the straightforward definition
        final Random random = new Random(42);
        final String alphabet = "aZ09_-.ü.\u3002 ";
        for (int i = 0; i < 20_000; i++) {
            final StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(12); n >= 0; n--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextInt(50) == 0) {
                name.append("x".repeat(64));
            }
            assertThat(DomainNames.normalise(name.toString())).as(name.toString()).isEqualTo(reference(name.toString()));
        }
    }

    private static Optional<String> reference(final String domain) {
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.startsWith("[") || d.length() > 253) {
            return Optional.empty();
        }
        final String ascii;
        try {
            ascii = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (final IllegalArgumentException e) {
            return Optional.empty();
        }
        final String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            return Optional.empty();
        }
        for (final String label : labels) {
            if (label.length() > 63 || !label.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")) {
                return Optional.empty();
            }
        }
        return Optional.of(ascii);
    }
}
