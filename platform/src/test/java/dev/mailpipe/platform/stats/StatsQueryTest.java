package dev.mailpipe.platform.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.StatsPeriod;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatsQueryTest {

    private static final LocalDate D3 = LocalDate.parse("2026-12-03");

    private static DeliveryStats bucket(final StatsPeriod period, final String start, final String apiUser,
            final String label, final String domain, final long request, final long delivered) {
        return DeliveryStats.newBuilder().setPeriod(period).setStart(Instant.parse(start)).setApiUser(apiUser)
                .setLabel(label).setDomain(domain).setRequest(request).setDelivered(delivered)
                .setUpdatedAt(Instant.EPOCH).build();
    }

    private static final List<DeliveryStats> BUCKETS = List.of(
            bucket(StatsPeriod.day, "2026-12-03T00:00:00Z", "shop", "7", "y.example", 5, 4),
            bucket(StatsPeriod.day, "2026-12-03T00:00:00Z", "shop", "7", "x.example", 3, 3),
            bucket(StatsPeriod.day, "2026-12-02T00:00:00Z", "shop", "", "x.example", 2, 1),
            bucket(StatsPeriod.day, "2026-12-03T00:00:00Z", "other", "", "x.example", 9, 9),
            bucket(StatsPeriod.day, "2026-11-01T00:00:00Z", "shop", "", "x.example", 100, 100),
            bucket(StatsPeriod.hour, "2026-12-03T10:00:00Z", "shop", "7", "x.example", 1, 1),
            bucket(StatsPeriod.hour, "2026-12-03T10:00:00Z", "shop", "7", "y.example", 2, 0),
            bucket(StatsPeriod.hour, "2026-12-03T11:00:00Z", "shop", "7", "x.example", 4, 4));

    @Test
    void shouldListDaysPerAccountLabelAndDomainInOrderWithinTheDates() {
        final StatsQuery q = new StatsQuery(StatsPeriod.day, D3.minusDays(1), D3, Set.of("shop"), Set.of(), Set.of(), true);

        final List<StatsRow> rows = q.rows(BUCKETS);

        assertThat(rows).extracting(r -> r.date() + " " + r.label() + " " + r.domain() + " " + r.counts().request())
                .containsExactly("2026-12-02  x.example 2", "2026-12-03 7 x.example 3", "2026-12-03 7 y.example 5");
        assertThat(rows).allMatch(r -> r.hour() == -1);
    }

    @Test
    void shouldSumHoursOverDomainsWhenNotByDomain() {
        final StatsQuery q = new StatsQuery(StatsPeriod.hour, D3, D3, Set.of("shop"), Set.of(), Set.of(), false);

        final List<StatsRow> rows = q.rows(BUCKETS);

        assertThat(rows).extracting(r -> r.hour() + ":" + r.counts().request() + "/" + r.counts().delivered())
                .containsExactly("10:3/1", "11:4/4");
        assertThat(rows).allMatch(r -> r.domain() == null);
    }

    @Test
    void shouldFilterByLabelAndDomainCaseInsensitivelyForDomains() {
        final StatsQuery q = new StatsQuery(StatsPeriod.day, D3, D3, Set.of("shop"), Set.of("7"), Set.of("Y.Example"),
                true);

        assertThat(q.total(BUCKETS)).isEqualTo(StatsCounts.ZERO.plus(StatsCounts.fromArray(new long[] {5, 4})));
    }

    @Test
    void shouldAggregateEverythingMatching() {
        final StatsQuery q = new StatsQuery(StatsPeriod.day, D3.minusDays(99), D3, Set.of(), Set.of(), Set.of(), true);

        final StatsCounts total = q.total(BUCKETS);

        assertThat(total.request()).isEqualTo(5 + 3 + 2 + 9 + 100);
        assertThat(StatsCounts.percent(total.delivered(), total.request())).isEqualTo(98.31);
    }

    @Test
    void shouldTruncatePercentagesAsSendCloudDoes() {
        assertThat(StatsCounts.percent(20, 48)).isEqualTo(41.66);
        assertThat(StatsCounts.percent(28, 48)).isEqualTo(58.33);
        assertThat(StatsCounts.percent(3, 0)).isZero();
    }

    @Test
    void shouldRefuseMoreThanAHundredDaysOrAnEndBeforeTheStart() {
        assertThatThrownBy(() -> new StatsQuery(StatsPeriod.day, D3.minusDays(100), D3, Set.of(), Set.of(), Set.of(),
                true)).hasMessageContaining("at most 100 days");
        assertThatThrownBy(() -> new StatsQuery(StatsPeriod.day, D3, D3.minusDays(1), Set.of(), Set.of(), Set.of(),
                true)).hasMessageContaining("before the start date");
        assertThatThrownBy(() -> StatsQuery.firstOfLastDays(D3, 0)).hasMessageContaining("days must be 1 to 100");
        assertThat(StatsQuery.firstOfLastDays(D3, 1)).isEqualTo(D3);
        assertThat(StatsQuery.firstOfLastDays(D3, 7)).isEqualTo(LocalDate.parse("2026-11-27"));
    }
}
