package dev.mailpipe.deliverer.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MxOrderingTest {

    @Test
    void shouldOrderByPreferenceLowestFirst() {
        final List<MxRecord> ordered = MxOrdering.order(List.of(new MxRecord("c", 30), new MxRecord("a", 10),
                new MxRecord("b", 20)), new Random(1));

        assertThat(ordered).extracting(MxRecord::host).containsExactly("a", "b", "c");
    }

    @Test
    void shouldShuffleEqualPreferencesButKeepThemBeforeHigherOnes() {
        final List<MxRecord> records = List.of(new MxRecord("backup", 50), new MxRecord("mx1", 10),
                new MxRecord("mx2", 10), new MxRecord("mx3", 10));
        final Set<String> firsts = new HashSet<>();
        final Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            final List<MxRecord> ordered = MxOrdering.order(records, random);
            assertThat(ordered.get(3).host()).isEqualTo("backup");
            assertThat(ordered.subList(0, 3)).extracting(MxRecord::host).containsExactlyInAnyOrder("mx1", "mx2", "mx3");
            firsts.add(ordered.get(0).host());
        }
        assertThat(firsts).containsExactlyInAnyOrder("mx1", "mx2", "mx3");
    }

    @Test
    void shouldRecogniseANullMx() {
        assertThat(MxOrdering.isNullMx(List.of(new MxRecord(".", 0)))).isTrue();
        assertThat(MxOrdering.isNullMx(List.of(new MxRecord("mx.example.com", 0)))).isFalse();
    }
}
