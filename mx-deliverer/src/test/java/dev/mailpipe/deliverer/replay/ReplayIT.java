package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RemoteReply;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mailpipe replay} against a real broker: records with explicit timestamps inside and
 * outside the window, the CLI run in-process, and {@code mail.outbound} read to its end offsets
 * afterwards (the CLI returns only after its writes are acknowledged, so nothing is still coming).
 * Each test uses its own messageId and looks only at its own emails.
 */
class ReplayIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        KAFKA.cluster().createTopics(3, Topics.OUTBOUND.name(), Topics.OUTBOUND_DLT.name(), Topics.DELIVERY_EVENTS.name());
        producer = new KafkaProducer<>(KafkaDefaults.producer(KAFKA.bootstrapServers(), "replay-it"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
    }

    @Test
    void shouldReplayOnlyDeadLettersInTheWindowThatMatchTheFilter() {
        final String msg = "dlt-" + System.nanoTime();
        final OutboundEmail inA = email(msg, 0, "u1", "ann@a.test");
        final OutboundEmail inB = email(msg, 1, "u1", "bob@b.test");
        final OutboundEmail otherUser = email(msg, 2, "u2", "cid@a.test");
        final OutboundEmail before = email(msg, 3, "u1", "dan@a.test");
        final OutboundEmail after = email(msg, 4, "u1", "eve@b.test");
        // offsets out of timestamp order on purpose: the window comes from timestamps, not offsets
        put(Topics.OUTBOUND_DLT.name(), after, NOW.minus(Duration.ofMinutes(30)), expiredHeaders());
        put(Topics.OUTBOUND_DLT.name(), inA, NOW.minus(Duration.ofMinutes(90)), expiredHeaders());
        put(Topics.OUTBOUND_DLT.name(), before, NOW.minus(Duration.ofHours(3)), expiredHeaders());
        put(Topics.OUTBOUND_DLT.name(), otherUser, NOW.minus(Duration.ofMinutes(80)), expiredHeaders());
        put(Topics.OUTBOUND_DLT.name(), inB, NOW.minus(Duration.ofMinutes(61)), expiredHeaders());
        final String since = NOW.minus(Duration.ofHours(2)).toString();
        final String until = NOW.minus(Duration.ofHours(1)).toString();

        final Run dry = run("dlt", "--since", since, "--until", until, "--api-user", "u1", "--dry-run");

        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("would replay " + inA.getEmailId()).contains("would replay " + inB.getEmailId())
                .contains("matched 2, replayed 0 (dry run), missing 0").doesNotContain(otherUser.getEmailId());
        assertThat(outbound(msg)).as("a dry run writes nothing").isEmpty();

        final Run real = run("dlt", "--since", since, "--until", until, "--api-user", "u1");

        assertThat(real.code()).as(real.toString()).isZero();
        assertThat(real.out()).contains("mail.outbound.dlt: scanned").contains("matched 2, replayed 2, missing 0");
        final List<ConsumerRecord<byte[], byte[]>> replayed = outbound(msg);
        assertThat(replayed).extracting(r -> decode(r).getEmailId())
                .containsExactlyInAnyOrder(inA.getEmailId(), inB.getEmailId());
        for (final ConsumerRecord<byte[], byte[]> r : replayed) {
            final OutboundEmail email = decode(r);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(email.getRecipientDomain());
            assertThat(header(r, ReplayHeaders.REPLAYED_FROM)).matches("mail\\.outbound\\.dlt/[0-2]/\\d+");
            assertThat(real.out()).contains("replay id: " + header(r, ReplayHeaders.REPLAY_ID));
            assertThat(r.headers().lastHeader(RetryHeaders.ATTEMPT)).isNull();
            assertThat(r.headers().lastHeader(RetryHeaders.FIRST_ATTEMPT)).isNull();
            assertThat(r.headers().lastHeader(RetryHeaders.DUE_AT)).isNull();
            assertThat(r.headers().lastHeader(DeadLetterHeaders.REASON)).isNull();
            assertThat(header(r, "x-trace")).as("unrelated headers travel along").isEqualTo("t1");
            assertThat(email.getContent()).isEqualTo(inA.getEmailId().equals(email.getEmailId())
                    ? inA.getContent() : inB.getContent());
        }
    }

    @Test
    void shouldReplayBouncedEmailsFoundOnOutboundAndReportMissingOnes() {
        final String msg = "bounce-" + System.nanoTime();
        final OutboundEmail bounced = email(msg, 0, "u1", "ann@a.test");
        final OutboundEmail deferred = email(msg, 1, "u1", "bob@b.test");
        final OutboundEmail delivered = email(msg, 2, "u1", "cid@a.test");
        final OutboundEmail bouncedLongAgo = email(msg, 3, "u1", "dan@a.test");
        final String missingId = msg + "4$gone@a.test";
        final Instant submitted = NOW.minus(Duration.ofHours(6));
        for (final OutboundEmail e : List.of(bounced, deferred, delivered, bouncedLongAgo)) {
            put(Topics.OUTBOUND.name(), e, submitted, new RecordHeaders());
        }
        event(msg, EventType.bounced, bounced.getEmailId(), NOW.minus(Duration.ofMinutes(50)));
        event(msg, EventType.deferred, deferred.getEmailId(), NOW.minus(Duration.ofMinutes(40)));
        event(msg, EventType.delivered, delivered.getEmailId(), NOW.minus(Duration.ofMinutes(45)));
        event(msg, EventType.bounced, bouncedLongAgo.getEmailId(), NOW.minus(Duration.ofHours(5)));
        event(msg, EventType.bounced, missingId, NOW.minus(Duration.ofMinutes(30)));

        final Run withDeferred = run("bounced", "--since", "1h", "--api-user", "u1", "--include-deferred", "--include-retrying",
                "--dry-run");

        assertThat(withDeferred.code()).as(withDeferred.toString()).isZero();
        assertThat(withDeferred.out()).contains("would replay " + bounced.getEmailId())
                .contains("would replay " + deferred.getEmailId()).contains("matched 2, replayed 0 (dry run), missing 1");

        final Run real = run("bounced", "--since", "1h", "--api-user", "u1");

        assertThat(real.code()).as(real.toString()).isZero();
        assertThat(real.out()).contains("mail.delivery-events: scanned").contains("selected 2 emails")
                .contains("matched 1, replayed 1, missing 1");
        assertThat(real.err()).contains("missing: " + missingId);
        final List<ConsumerRecord<byte[], byte[]>> copies = outbound(msg).stream()
                .filter(r -> r.headers().lastHeader(ReplayHeaders.REPLAYED_FROM) != null).toList();
        assertThat(copies).hasSize(1);
        final ConsumerRecord<byte[], byte[]> copy = copies.getFirst();
        assertThat(decode(copy).getEmailId()).isEqualTo(bounced.getEmailId());
        assertThat(new String(copy.key(), StandardCharsets.UTF_8)).isEqualTo("a.test");
        assertThat(header(copy, ReplayHeaders.REPLAYED_FROM)).matches("mail\\.outbound/[0-2]/\\d+");
        assertThat(outbound(msg)).as("originals plus the one copy").hasSize(5);
    }

    @Test
    void shouldSelectByTheLatestOutcomeOfEachEmailLookingPastTheWindowEnd() {
        final String msg = "latest-" + System.nanoTime();
        final OutboundEmail bouncedThenDelivered = email(msg, 0, msg, "ann@a.test");
        final OutboundEmail stillRetrying = email(msg, 1, msg, "bob@b.test");
        final OutboundEmail deferredThenBounced = email(msg, 2, msg, "cid@a.test");
        final OutboundEmail bouncedThenOpened = email(msg, 3, msg, "dan@a.test");
        final OutboundEmail bounced = email(msg, 4, msg, "eve@b.test");
        for (final OutboundEmail e : List.of(bouncedThenDelivered, stillRetrying, deferredThenBounced, bouncedThenOpened,
                bounced)) {
            put(Topics.OUTBOUND.name(), e, NOW.minus(Duration.ofHours(6)), new RecordHeaders());
        }
        final Instant since = NOW.minus(Duration.ofHours(3));
        final Instant until = NOW.minus(Duration.ofHours(2));
        event(msg, msg, EventType.bounced, bouncedThenDelivered.getEmailId(), since.plus(Duration.ofMinutes(5)));
        event(msg, msg, EventType.delivered, bouncedThenDelivered.getEmailId(), NOW.minus(Duration.ofMinutes(30))); // after the window
        event(msg, msg, EventType.deferred, stillRetrying.getEmailId(), since.plus(Duration.ofMinutes(10)));
        event(msg, msg, EventType.deferred, stillRetrying.getEmailId(), NOW.minus(Duration.ofMinutes(20)));
        event(msg, msg, EventType.deferred, deferredThenBounced.getEmailId(), since.plus(Duration.ofMinutes(15)));
        event(msg, msg, EventType.bounced, deferredThenBounced.getEmailId(), NOW.minus(Duration.ofMinutes(10)));
        event(msg, msg, EventType.bounced, bouncedThenOpened.getEmailId(), since.plus(Duration.ofMinutes(20)));
        event(msg, msg, EventType.open, bouncedThenOpened.getEmailId(), NOW.minus(Duration.ofMinutes(5)));
        event(msg, msg, EventType.bounced, bounced.getEmailId(), since.plus(Duration.ofMinutes(25)));
        final String[] window = {"--since", since.toString(), "--until", until.toString(), "--api-user", msg};

        final Run dry = run(concat(new String[] {"bounced", "--include-deferred", "--dry-run"}, window));

        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("would replay " + deferredThenBounced.getEmailId())
                .contains("would replay " + bounced.getEmailId())
                .doesNotContain(bouncedThenDelivered.getEmailId()).doesNotContain(bouncedThenOpened.getEmailId())
                .doesNotContain(stillRetrying.getEmailId())
                .contains("retrying 1 skipped, --include-retrying takes them").contains("delivered since 2");

        final Run withRetrying = run(concat(new String[] {"bounced", "--include-deferred", "--include-retrying"}, window));

        assertThat(withRetrying.code()).as(withRetrying.toString()).isZero();
        assertThat(withRetrying.out()).contains("matched 3, replayed 3");
        assertThat(outbound(msg).stream().filter(r -> r.headers().lastHeader(ReplayHeaders.REPLAYED_FROM) != null))
                .extracting(r -> decode(r).getEmailId())
                .containsExactlyInAnyOrder(deferredThenBounced.getEmailId(), bounced.getEmailId(),
                        stillRetrying.getEmailId());
    }

    @Test
    void shouldNotReplayADeadLetterDeliveredSince() {
        final String msg = "dlt-latest-" + System.nanoTime();
        final OutboundEmail expired = email(msg, 0, msg, "ann@a.test");
        final OutboundEmail expiredThenDelivered = email(msg, 1, msg, "bob@b.test");
        final OutboundEmail expiredThenRetrying = email(msg, 2, msg, "cid@c.test");
        final Instant expiredAt = NOW.minus(Duration.ofMinutes(90));
        for (final OutboundEmail e : List.of(expired, expiredThenDelivered, expiredThenRetrying)) {
            put(Topics.OUTBOUND_DLT.name(), e, expiredAt, expiredHeaders());
            event(msg, msg, EventType.expired, e.getEmailId(), expiredAt);
        }
        // an earlier replay re-sent two of them: one got through, one is being retried again
        event(msg, msg, EventType.delivered, expiredThenDelivered.getEmailId(), NOW.minus(Duration.ofMinutes(10)));
        event(msg, msg, EventType.deferred, expiredThenRetrying.getEmailId(), NOW.minus(Duration.ofMinutes(10)));

        final Run real = run("dlt", "--since", "2h", "--until", "1h", "--api-user", msg);

        assertThat(real.code()).as(real.toString()).isZero();
        assertThat(real.out()).contains("selected 1 emails").contains("matched 1, replayed 1");
        assertThat(outbound(msg)).extracting(r -> decode(r).getEmailId()).containsExactly(expired.getEmailId());
    }

    @Test
    void shouldFailBeforeSendingWhenMoreThanMaxSelectedMatch() {
        final String msg = "max-" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            put(Topics.OUTBOUND_DLT.name(), email(msg, i, "max-user", "x" + i + "@a.test"),
                    NOW.minus(Duration.ofMinutes(5)), expiredHeaders());
        }

        final Run tooMany = run("dlt", "--since", "1h", "--api-user", "max-user", "--max-selected", "2");

        assertThat(tooMany.code()).as(tooMany.toString()).isEqualTo(1);
        assertThat(tooMany.err()).contains("more than 2 emails match (--max-selected 2); nothing was sent");
        assertThat(outbound(msg)).isEmpty();
    }

    @Test
    void shouldPutTheReplayIdOnEveryCopyAndResumeAfterAStopWithoutSendingTwice() {
        final String msg = "resume-" + System.nanoTime();
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            final OutboundEmail e = email(msg, i, msg, "r" + i + "@a.test");
            ids.add(e.getEmailId());
            put(Topics.OUTBOUND_DLT.name(), e, NOW.minus(Duration.ofMinutes(20)), expiredHeaders());
        }
        final ReplayProgress progress = new ReplayProgress();

        // as Ctrl-C does: the stop comes after the first send
        final Run stopped = run(progress, () -> progress.sent() >= 1, "dlt", "--since", "1h", "--api-user", msg);

        assertThat(stopped.code()).as(stopped.toString()).isEqualTo(ReplayCli.STOPPED);
        assertThat(stopped.out()).contains("replayed 1").contains("stopped: 1 sent and acknowledged");
        final String replayId = line(stopped.out(), "replay id: ").substring("replay id: ".length());
        assertThat(replayId).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        assertThat(outbound(msg)).hasSize(1).allSatisfy(r -> assertThat(header(r, ReplayHeaders.REPLAY_ID))
                .isEqualTo(replayId));
        final String resume = line(stopped.out(), "  ./mailpipe replay ").strip();
        assertThat(resume).contains("--replay-id " + replayId).contains("--since " + NOW.minus(Duration.ofHours(1))
                .toString().substring(0, 13)); // the resolved instant, not "1h"
        final String[] resumeArgs = resume.substring("./mailpipe replay ".length()).split(" ");

        final Run resumed = run(resumeArgs);

        assertThat(resumed.code()).as(resumed.toString()).isZero();
        assertThat(resumed.out()).contains("replay id: " + replayId + " (resumed)")
                .contains("1 of them already sent by replay " + replayId).contains("replayed 3");
        assertThat(outbound(msg)).extracting(r -> decode(r).getEmailId()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(outbound(msg)).allSatisfy(r -> assertThat(header(r, ReplayHeaders.REPLAY_ID)).isEqualTo(replayId));

        final Run again = run(resumeArgs);

        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("replayed 0");
        assertThat(outbound(msg)).as("the same replay run again sends nothing new").hasSize(4);
    }

    @Test
    void shouldSendBouncedEmailsOnceWhenTheSameReplayRunsTwice() {
        final String msg = "twice-" + System.nanoTime();
        final OutboundEmail a = email(msg, 0, msg, "ann@a.test");
        final OutboundEmail b = email(msg, 1, msg, "bob@b.test");
        for (final OutboundEmail e : List.of(a, b)) {
            put(Topics.OUTBOUND.name(), e, NOW.minus(Duration.ofHours(2)), new RecordHeaders());
            event(msg, msg, EventType.bounced, e.getEmailId(), NOW.minus(Duration.ofMinutes(30)));
        }
        final String[] args = {"bounced", "--since", "1h", "--api-user", msg, "--replay-id", "incident-" + msg};

        final Run first = run(args);
        final Run second = run(args);

        assertThat(first.out()).as(first.toString()).contains("replayed 2");
        assertThat(second.out()).as(second.toString()).contains("2 of them already sent by replay incident-" + msg)
                .contains("replayed 0");
        assertThat(outbound(msg).stream().filter(r -> r.headers().lastHeader(ReplayHeaders.REPLAY_ID) != null))
                .extracting(r -> decode(r).getEmailId()).containsExactlyInAnyOrder(a.getEmailId(), b.getEmailId());
    }

    @Test
    void shouldSelectByLabelBounceClassStatusReasonTaskAndAnIdsFile(@TempDir final Path dir) throws Exception {
        final String msg = "filters-" + System.nanoTime();
        final OutboundEmail wanted = email(msg, 0, msg, "ann@a.test");
        final OutboundEmail soft = email(msg, 1, msg, "bob@a.test");
        final OutboundEmail otherStatus = email(msg, 2, msg, "cid@a.test");
        final OutboundEmail otherTask = email(msg, 3, msg, "dan@a.test");
        for (final OutboundEmail e : List.of(wanted, soft, otherStatus, otherTask)) {
            put(Topics.OUTBOUND.name(), e, NOW.minus(Duration.ofHours(2)), new RecordHeaders());
        }
        final Instant at = NOW.minus(Duration.ofMinutes(30));
        bounce(msg, wanted, BounceClass.hard, "5.1.1", "550 5.1.1 User unknown", "t-1", at);
        bounce(msg, soft, BounceClass.soft, "5.1.1", "550 5.1.1 User unknown (mailbox busy)", "t-1", at);
        bounce(msg, otherStatus, BounceClass.hard, "5.1.10", "556 5.1.10 user unknown: null MX", "t-1", at);
        bounce(msg, otherTask, BounceClass.hard, "5.1.1", "550 5.1.1 User unknown", "t-2", at);

        final Run filtered = run("bounced", "--since", "1h", "--account", msg, "--label", "7", "--bounce-class", "hard",
                "--status", "5.1.1", "--reason", "USER UNKNOWN", "--task", "t-1", "--dry-run");

        assertThat(filtered.code()).as(filtered.toString()).isZero();
        assertThat(filtered.out()).contains("would replay " + wanted.getEmailId()).contains("selected 1 emails");

        final Path ids = dir.resolve("ids.txt");
        Files.writeString(ids, "# two of them\n" + soft.getEmailId() + "\n\n<" + otherTask.getEmailId() + ">\nnot-ours\n");

        final Run byFile = run("bounced", "--since", "1h", "--account", msg, "--ids-file", ids.toString());

        assertThat(byFile.code()).as(byFile.toString()).isZero();
        assertThat(outbound(msg).stream().filter(r -> r.headers().lastHeader(ReplayHeaders.REPLAY_ID) != null))
                .extracting(r -> decode(r).getEmailId()).containsExactlyInAnyOrder(soft.getEmailId(), otherTask.getEmailId());
    }

    @Test
    void shouldPrintCountsByDomainAndReasonOnADryRunAndPaceARealOne() {
        final String msg = "counts-" + System.nanoTime();
        final List<OutboundEmail> emails = List.of(email(msg, 0, msg, "ann@a.test"), email(msg, 1, msg, "bob@a.test"),
                email(msg, 2, msg, "cid@b.test"), email(msg, 3, msg, "dan@a.test"));
        final Instant at = NOW.minus(Duration.ofMinutes(30));
        for (final OutboundEmail e : emails) {
            put(Topics.OUTBOUND.name(), e, NOW.minus(Duration.ofHours(2)), new RecordHeaders());
        }
        bounce(msg, emails.get(0), BounceClass.hard, "5.1.1", "550 5.1.1 <ann@a.test>: user unknown", null, at);
        bounce(msg, emails.get(1), BounceClass.hard, "5.1.1", "550 5.1.1 <bob@a.test>: user unknown", null, at);
        bounce(msg, emails.get(2), BounceClass.hard, "5.1.1", "550 5.1.1 <cid@b.test>: user unknown", null, at);
        bounce(msg, emails.get(3), BounceClass.soft, "5.7.1", "550 5.7.1 message refused", null, at);

        final Run dry = run("bounced", "--since", "1h", "--account", msg, "--dry-run");

        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("would replay, by recipient domain:\n         3  a.test\n         1  b.test\n")
                .contains("would replay, by reason (of the latest outcome):\n"
                        + "         3  550 5.1.1 <address>: user unknown\n         1  550 5.7.1 message refused\n");
        assertThat(outbound(msg)).as("a dry run writes nothing").hasSize(4);

        final long t0 = System.nanoTime();
        final Run paced = run("bounced", "--since", "1h", "--account", msg, "--rate", "10/s");

        assertThat(paced.code()).as(paced.toString()).isZero();
        assertThat(paced.out()).contains("replayed 4").doesNotContain("by recipient domain");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("4 at 10/s: 3 waits of 100 ms")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void shouldPrintPlainProgressLinesWhenNotOnATerminalAndABarWhenAsked() {
        final String msg = "progress-" + System.nanoTime();
        for (int i = 0; i < 4; i++) {
            put(Topics.OUTBOUND_DLT.name(), email(msg, i, msg, "p" + i + "@a.test"), NOW.minus(Duration.ofMinutes(10)),
                    expiredHeaders());
        }

        // 4 at 5/s take 600 ms: a line every 50 ms shows the sending
        final Run lines = run("dlt", "--since", "1h", "--account", msg, "--rate", "5/s", "--progress-every", "50ms");

        assertThat(lines.code()).as(lines.toString()).isZero();
        assertThat(lines.err()).as("auto: not a terminal here").containsPattern(
                "reading mail\\.outbound\\.dlt: [\\d,]+/[\\d,]+ offsets \\(\\d+%\\), selected 4, sent [1-4] \\(\\d+/s\\), ETA ");

        final List<String> rendered = new java.util.concurrent.CopyOnWriteArrayList<>();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ReplayCli.run(new String[] {"dlt", "--since", "1h", "--account", msg, "--rate", "5/s",
            "--progress", "bar", "--dry-run"}, Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()),
                Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err), new ReplayProgress(), () -> false,
                rendered::add);

        assertThat(code).as(err.toString()).isZero();
        assertThat(rendered).as("the bar names the topic read and the counts").anySatisfy(line -> assertThat(line)
                .contains("mail.").contains("offsets").contains("selected"));
        assertThat(err.toString()).doesNotContain("reading mail.");
    }

    private static void bounce(final String messageId, final OutboundEmail email, final BounceClass bounceClass,
            final String status, final String reason, final String task, final Instant at) {
        final DeliveryEvent event = DeliveryEvent.newBuilder().setType(EventType.bounced).setMessageId(messageId)
                .setEmailId(email.getEmailId()).setApiUser(email.getApiUser()).setLabel("7")
                .setRecipient(email.getRecipient()).setTimestamp(at).setBounceClass(bounceClass).setReason(reason)
                .setRemoteReply(RemoteReply.newBuilder().setCode(550).setEnhancedStatus(status).setText(reason).build())
                .setMailListTaskId(task).build();
        send(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), null, at.toEpochMilli(),
                messageId.getBytes(StandardCharsets.UTF_8),
                Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize(Topics.DELIVERY_EVENTS.name(), event)));
    }

    private static String line(final String text, final String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + text));
    }

    private static String[] concat(final String[] a, final String[] b) {
        final String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void shouldSkipEmailsToSuppressedAddresses() {
        KAFKA.cluster().createTopics(1, Topics.SUPPRESSIONS.name());
        final String msg = "suppressed-" + System.nanoTime();
        final OutboundEmail kept = email(msg, 0, "u1", "ann@a.test");
        final OutboundEmail unsubscribed = email(msg, 1, "u1", "Bob@b.test");
        put(Topics.OUTBOUND_DLT.name(), kept, NOW.minus(Duration.ofMinutes(10)), expiredHeaders());
        put(Topics.OUTBOUND_DLT.name(), unsubscribed, NOW.minus(Duration.ofMinutes(10)), expiredHeaders());
        try (CompactedTable<Suppression> table = CompactedTable.start(KAFKA.bootstrapServers(), "replay-it",
                Topics.SUPPRESSIONS.name(), Topics.SUPPRESSIONS.valueSerde())) {
            table.put(SuppressionKey.of("u1", "bob@b.test"), Suppression.newBuilder().setApiUser("u1")
                    .setAddress("bob@b.test").setReason(SuppressionReason.unsubscribe).setCreatedAt(NOW).build());
        }

        final Run real = run("dlt", "--since", "1h");

        assertThat(real.code()).as(real.toString()).isZero();
        assertThat(real.out()).contains("skipped " + unsubscribed.getEmailId()).contains("suppressed (unsubscribe)")
                .contains("suppressed 1");
        assertThat(outbound(msg)).extracting(r -> decode(r).getEmailId()).containsExactly(kept.getEmailId());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(final String... args) {
        return run(new ReplayProgress(), () -> false, args);
    }

    private static Run run(final ReplayProgress progress, final BooleanSupplier stop, final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ReplayCli.run(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()),
                Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err), progress, stop);
        return new Run(code, out.toString(), err.toString());
    }

    private static OutboundEmail email(final String messageId, final int index, final String apiUser, final String rcpt) {
        final String content = "From: sender@mailpipe.test\r\nTo: " + rcpt + "\r\nSubject: " + index + "\r\n\r\nhi\r\n";
        return OutboundEmail.newBuilder().setEmailId(messageId + index + "$" + rcpt).setMessageId(messageId)
                .setIndex(index).setApiUser(apiUser).setMailFrom("sender@mailpipe.test").setRecipient(rcpt)
                .setRecipientDomain(ReplaySelector.domainOf(rcpt)).setSubmittedAt(NOW)
                .setContent(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8))).build();
    }

    private static RecordHeaders expiredHeaders() {
        final RecordHeaders h = new RecordHeaders();
        h.add(RetryHeaders.ATTEMPT, "6".getBytes(StandardCharsets.US_ASCII));
        h.add(RetryHeaders.FIRST_ATTEMPT, "1700000000000".getBytes(StandardCharsets.US_ASCII));
        h.add(RetryHeaders.DUE_AT, "1700000300000".getBytes(StandardCharsets.US_ASCII));
        h.add(DeadLetterHeaders.REASON, "expired: 451 4.3.0 try later".getBytes(StandardCharsets.UTF_8));
        h.add("x-trace", "t1".getBytes(StandardCharsets.UTF_8));
        return h;
    }

    private static void put(final String topic, final OutboundEmail email, final Instant timestamp,
            final Iterable<Header> headers) {
        final byte[] value = Topics.OUTBOUND.valueSerde().serializer().serialize(topic, email);
        send(new ProducerRecord<>(topic, null, timestamp.toEpochMilli(),
                email.getRecipientDomain().getBytes(StandardCharsets.UTF_8), value, headers));
    }

    private static void event(final String messageId, final EventType type, final String emailId, final Instant at) {
        event(messageId, "u1", type, emailId, at);
    }

    private static void event(final String messageId, final String apiUser, final EventType type, final String emailId,
            final Instant at) {
        final DeliveryEvent event = DeliveryEvent.newBuilder().setType(type).setMessageId(messageId).setEmailId(emailId)
                .setApiUser(apiUser).setRecipient(emailId.substring(emailId.indexOf('$') + 1)).setTimestamp(at).build();
        send(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), null, at.toEpochMilli(),
                messageId.getBytes(StandardCharsets.UTF_8),
                Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize(Topics.DELIVERY_EVENTS.name(), event)));
    }

    private static void send(final ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get();
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything on mail.outbound up to its current end offsets whose emailId belongs to {@code messageId}. */
    private static List<ConsumerRecord<byte[], byte[]>> outbound(final String messageId) {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.cluster().consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(Topics.OUTBOUND.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("read mail.outbound to its end in time").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records.stream().filter(r -> decode(r).getMessageId().equals(messageId)).collect(Collectors.toList());
    }

    private static OutboundEmail decode(final ConsumerRecord<byte[], byte[]> record) {
        return Topics.OUTBOUND.valueSerde().deserializer().deserialize(record.topic(), record.value());
    }

    private static String header(final ConsumerRecord<byte[], byte[]> record, final String key) {
        final Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

}
