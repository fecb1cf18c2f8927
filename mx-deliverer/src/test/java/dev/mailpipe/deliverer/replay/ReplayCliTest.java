package dev.mailpipe.deliverer.replay;

import dev.mailpipe.platform.Cli;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Argument handling (fails before any Kafka client is created) and the exit code of an unreachable cluster. */
class ReplayCliTest {

    // nothing listens here: a test that reached Kafka would fail with exit 1, not 2
    private static final Map<String, String> ENV = Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args) {
        return ReplayCli.run(args, ENV, CLOCK, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void shouldRejectUntilBeforeSince() {
        assertThat(run("dlt", "--since", "1h", "--until", "2h")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("error: --until (2026-11-23T10:00:00Z) must be after --since (2026-11-23T11:00:00Z)");
    }

    @Test
    void shouldRejectUnparsableSince() {
        assertThat(run("bounced", "--since", "last tuesday")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--since").contains("last tuesday").contains("replay bounced --help");
    }

    @Test
    void shouldRequireSince() {
        assertThat(run("dlt")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--since");
    }

    @Test
    void shouldRejectBadLookback() {
        assertThat(run("bounced", "--since", "2h", "--lookback", "a week")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--lookback");
    }

    @Test
    void shouldRejectUnknownSubcommandAndOptions() {
        assertThat(run("deferred", "--since", "2h")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(run("dlt", "--since", "2h", "--include-deferred")).isEqualTo(Cli.BAD_ARGUMENTS);
    }

    @Test
    void shouldRejectBadTimeout() {
        assertThat(run("dlt", "--since", "2h", "--timeout", "soon")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--timeout");
    }

    @Test
    void shouldExitOneWhenKafkaIsUnreachable() {
        assertThat(run("dlt", "--since", "2h", "--timeout", "1s")).isEqualTo(Cli.FAILED);
        assertThat(err.toString()).startsWith("error: Kafka at 127.0.0.1:1: ").containsIgnoringCase("timeout");
    }

    @Test
    void shouldRejectBadSelectorsBeforeKafka() {
        assertThat(run("bounced", "--since", "2h", "--status", "5.x")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--status");
        assertThat(run("bounced", "--since", "2h", "--bounce-class", "medium")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(run("dlt", "--since", "2h", "--bounce-class", "hard")).as("expired emails did not bounce")
                .isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(run("dlt", "--since", "2h", "--rate", "lots")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--rate");
        assertThat(run("dlt", "--since", "2h", "--ids-file", "/nonexistent/ids.txt")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--ids-file");
    }

    @Test
    void shouldRejectABadReplayId() {
        assertThat(run("dlt", "--since", "2h", "--replay-id", "not ok")).isEqualTo(Cli.BAD_ARGUMENTS);
        assertThat(err.toString()).contains("--replay-id");
    }

    @Test
    void shouldResumeWithTheResolvedWindowAndTheSameId() {
        final TimeWindow window = TimeWindow.parse("2h", null, CLOCK.instant());

        final String command = ReplayCli.resumeCommand(new String[] {"bounced", "--since", "2h", "--api-user", "acme co",
            "--until=now", "--replay-id", "old", "--include-deferred"}, window, "20261123T120000Z-abcdef");

        assertThat(command).isEqualTo("./mailpipe replay bounced --api-user 'acme co' --include-deferred"
                + " --since 2026-11-23T10:00:00Z --until 2026-11-23T12:00:00Z --replay-id 20261123T120000Z-abcdef");
    }

    @Test
    void shouldPrintHelpWithoutSince() {
        assertThat(run("dlt", "--help")).isZero();
        assertThat(out.toString()).contains("--since").contains("--until").contains("--dry-run").contains("--api-user");
    }
}
