package dev.mailpipe.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailpipe.platform.stats.StatsCounts;
import dev.mailpipe.platform.stats.StatsQuery;
import dev.mailpipe.platform.stats.StatsRow;
import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.StatsPeriod;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * SendCloud's {@code statday/list} and {@code stathour/list}: the delivery statistics the expander
 * keeps on {@code mail.stats}, for the caller's own account, in SendCloud's shape. Days are UTC
 * days; a query spans at most {@link StatsQuery#MAX_DAYS} of them.
 */
final class StatsRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Collection<DeliveryStats>> buckets;

    StatsRoutes(final Supplier<Collection<DeliveryStats>> buckets) {
        this.buckets = buckets;
    }

    ObjectNode statDay(final ApiRoutes.Call call) throws ApiException {
        return answer(call, StatsPeriod.day);
    }

    ObjectNode statHour(final ApiRoutes.Call call) throws ApiException {
        return answer(call, StatsPeriod.hour);
    }

    private ObjectNode answer(final ApiRoutes.Call call, final StatsPeriod period) throws ApiException {
        final Map<String, String> f = call.form();
        final StatsQuery query = query(call, period);
        final ObjectNode info = JSON.createObjectNode();
        final Collection<DeliveryStats> all = buckets.get();
        if (period == StatsPeriod.day && "1".equals(f.getOrDefault("aggregate", "0").strip())) {
            counts(info.putObject("dataList"), query.total(all));
            return info;
        }
        final ArrayNode list = info.putArray("dataList");
        for (final StatsRow row : query.rows(all)) {
            final ObjectNode o = list.addObject();
            o.put("sendDate", row.date().toString());
            if (row.hour() >= 0) {
                o.put("sendHour", row.hour());
            }
            o.put("apiUser", row.apiUser());
            if (row.domain() != null) {
                o.put("domain", row.domain());
            }
            labelId(o, row.label());
            o.putNull("labelName");
            counts(o, row.counts());
        }
        return info;
    }

    /** {@code days} or {@code startDate}/{@code endDate}, and the filters; only the caller's account. */
    private static StatsQuery query(final ApiRoutes.Call call, final StatsPeriod period) throws ApiException {
        final Map<String, String> f = call.form();
        final LocalDate today = LocalDate.ofInstant(call.now(), ZoneOffset.UTC);
        final LocalDate from;
        final LocalDate to;
        try {
            if (present(f, "days")) {
                from = StatsQuery.firstOfLastDays(today, Integer.parseInt(f.get("days").strip()));
                to = today;
            } else if (present(f, "startDate") && present(f, "endDate")) {
                from = LocalDate.parse(f.get("startDate").strip());
                to = LocalDate.parse(f.get("endDate").strip());
            } else {
                throw new ApiException(400, "days, or startDate and endDate (yyyy-MM-dd), are required");
            }
        } catch (final NumberFormatException e) {
            throw new ApiException(400, "days must be a number of days (1 is today)");
        } catch (final DateTimeParseException e) {
            throw new ApiException(400, "startDate and endDate must be dates as yyyy-MM-dd");
        } catch (final IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        // an account sees its own statistics only (mailpipe has no parent accounts)
        for (final String user : ListRoutes.split(f.get("apiUserList"))) {
            if (!user.equals(call.apiUser())) {
                throw new ApiException(403, "apiUserList: " + user + " is not this account");
            }
        }
        try {
            return new StatsQuery(period, from, to, Set.of(call.apiUser()),
                    new HashSet<>(ListRoutes.split(f.get("labelIdList"))),
                    new HashSet<>(ListRoutes.split(f.get("domainList"))), period == StatsPeriod.day);
        } catch (final IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    private static boolean present(final Map<String, String> f, final String name) {
        return f.get(name) != null && !f.get(name).isBlank();
    }

    /** SendCloud's labelId is a number, 0 for none; a label that is not a number is given as it is. */
    private static void labelId(final ObjectNode o, final String label) {
        if (label.isEmpty()) {
            o.put("labelId", 0);
        } else if (label.chars().allMatch(Character::isDigit) && label.length() < 10) {
            o.put("labelId", Integer.parseInt(label));
        } else {
            o.put("labelId", label);
        }
    }

    /** SendCloud's counts and percentages (of requestNum), then mailpipe's own counts. */
    private static void counts(final ObjectNode o, final StatsCounts c) {
        o.put("requestNum", c.request());
        o.put("deliveredNum", c.delivered());
        o.put("clickNum", c.click());
        o.put("openNum", c.open());
        o.put("bounceNum", c.bounced());
        o.put("spamReportedNum", c.spamReport());
        o.put("unsubscribeNum", c.unsubscribe());
        o.put("uniqueOpensNum", c.uniqueOpen());
        o.put("uniqueClicksNum", c.uniqueClick());
        o.put("invalidEmailsNum", c.invalid());
        final long base = c.request();
        o.put("deliveredPercent", StatsCounts.percent(c.delivered(), base));
        o.put("clickPercent", StatsCounts.percent(c.click(), base));
        o.put("openPercent", StatsCounts.percent(c.open(), base));
        o.put("bouncePercent", StatsCounts.percent(c.bounced(), base));
        o.put("spamReportedPercent", StatsCounts.percent(c.spamReport(), base));
        o.put("unsubscribePercent", StatsCounts.percent(c.unsubscribe(), base));
        o.put("uniqueOpensPercent", StatsCounts.percent(c.uniqueOpen(), base));
        o.put("uniqueClicksPercent", StatsCounts.percent(c.uniqueClick(), base));
        o.put("invalidEmailsPercent", StatsCounts.percent(c.invalid(), base));
        o.put("deferredNum", c.deferred());
        o.put("hardBounceNum", c.hardBounced());
        o.put("softBounceNum", c.softBounced());
        o.put("droppedNum", c.dropped());
        o.put("expiredNum", c.expired());
    }
}
