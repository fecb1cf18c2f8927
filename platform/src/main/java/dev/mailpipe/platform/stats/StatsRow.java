package dev.mailpipe.platform.stats;

import java.time.LocalDate;

/**
 * One line of a statistics answer: a day (and hour, for hourly statistics), an account, a label
 * and, when the query is by domain, a recipient domain, with the counts summed over the rest.
 *
 * @param hour 0-23 for hourly statistics, -1 for daily ones
 * @param domain the recipient domain, or {@code null} when the query does not split by domain
 */
public record StatsRow(LocalDate date, int hour, String apiUser, String label, String domain, StatsCounts counts) {
}
