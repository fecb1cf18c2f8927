package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.accounts.Authenticator;
import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.expander.core.Expander;
import dev.mailpipe.expander.core.Expansion;
import dev.mailpipe.ingest.smtp.ClientInfo;
import dev.mailpipe.ingest.smtp.DataDecoder;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.SessionServices;
import dev.mailpipe.ingest.smtp.SessionSettings;
import dev.mailpipe.ingest.smtp.Step;
import dev.mailpipe.platform.queue.KafkaSubmitter;
import dev.mailpipe.platform.queue.Submission;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * "Ingest accepts ⇔ the expander expands": thousands of generated submissions — valid X-SMTPAPI
 * headers and mangled ones (bad base64, bad JSON, trailing data, duplicate keys, wrong types,
 * short {@code sub} arrays, address literals and UTF-8 addresses in {@code to}, two headers, the
 * header at any position, folded, as encoded words) — go through the real ingest session (DATA
 * decoding included) and the real expander. Seeded, so a failure names a reproducible case.
 */
class AcceptExpandAgreementTest {

    private static final long SEED = Long.getLong("agreement.seed", 20261202L);
    private static final int CASES = Integer.getInteger("agreement.cases", 4000);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    private final Expander expander = new Expander("mailpipe.test");

    @Test
    void shouldExpandExactlyWhatIngestAccepts() {
        final Random random = new Random(SEED);
        int accepted = 0;
        int refused = 0;
        for (int n = 0; n < CASES; n++) {
            final Case c = generate(random);
            final Outcome ingest = submit(c);
            final RawMessage raw = ingest.submission() != null ? KafkaSubmitter.toRecord(ingest.submission())
                    : record(c);
            final Expansion expansion = expander.expand(raw);
            final String description = "case " + n + " (seed " + SEED + "): ingest said " + ingest.reply()
                    + ", expander " + expansion + "\n" + c;
            if (ingest.submission() != null) {
                accepted++;
                assertThat(expansion).as(description).isInstanceOf(Expansion.Expanded.class);
                for (final OutboundEmail email : ((Expansion.Expanded) expansion).emails()) {
                    final String text = StandardCharsets.UTF_8.decode(email.getContent().duplicate()).toString();
                    assertThat(text.toLowerCase(java.util.Locale.ROOT)).as(description).doesNotContain("x-smtpapi:");
                }
            } else {
                refused++;
                assertThat(ingest.reply()).as(description).startsWith("550 5.6.0 xsmtpapi error: ");
                assertThat(expansion).as(description).isInstanceOfSatisfying(Expansion.Invalid.class,
                        i -> assertThat(i.reason()).isEqualTo("xsmtpapi error: "
                                + ingest.reply().substring("550 5.6.0 xsmtpapi error: ".length())));
            }
        }
        // the generator must exercise both sides
        assertThat(accepted).isGreaterThan(CASES / 5);
        assertThat(refused).isGreaterThan(CASES / 5);
    }

    record Case(List<String> envelope, boolean smtputf8, String headers) {
        @Override
        public String toString() {
            return "envelope " + envelope + (smtputf8 ? " SMTPUTF8" : "") + "\n" + headers;
        }
    }

    record Outcome(String reply, Submission submission) {
    }

    private static final String[] ADDRESSES = {"ben@ifaxin.com", "joe@ifaxin.com", "\"a b\"@example.com",
        "bida+x@mail.example.org"};
    private static final String[] BAD_ADDRESSES = {"a@[192.0.2.1]", "jörg@example.com", "no-at-sign", "a b@example.com",
        "x@", "ben@ifaxin.com\r\nBcc: e@x.test"};

    private static Case generate(final Random r) {
        final boolean smtputf8 = r.nextInt(5) == 0;
        final List<String> envelope = new ArrayList<>();
        final int envelopeSize = 1 + r.nextInt(3);
        for (int i = 0; i < envelopeSize; i++) {
            envelope.add(ADDRESSES[r.nextInt(ADDRESSES.length)]);
        }
        final List<String> fields = new ArrayList<>(List.of("From: Support <support@ifaxin.com>",
                "To: ben@ifaxin.com", "Subject: Hello %name%", "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8", "SC-Custom-Campaign: c" + r.nextInt(9)));
        final int headers = r.nextInt(10) == 0 ? 0 : r.nextInt(12) == 0 ? 2 : 1;
        for (int h = 0; h < headers; h++) {
            final String name = switch (r.nextInt(4)) {
                case 0 -> "x-smtpapi";
                case 1 -> "X-Smtpapi";
                default -> "X-SMTPAPI";
            };
            fields.add(r.nextInt(fields.size() + 1), name + ":" + (r.nextInt(6) == 0 ? "" : " ") + value(r, envelope.size(), smtputf8));
        }
        return new Case(envelope, smtputf8, String.join("\r\n", fields) + "\r\n");
    }

    /** A header value: a valid one or one of many manglings, then base64, folded or encoded words. */
    private static String value(final Random r, final int envelope, final boolean smtputf8) {
        final StringBuilder json = new StringBuilder("{");
        final List<String> members = new ArrayList<>();
        int recipients = envelope;
        if (r.nextBoolean()) {
            final int to = r.nextInt(20) == 0 ? 0 : 1 + r.nextInt(r.nextInt(30) == 0 ? 120 : 4);
            final List<String> addresses = new ArrayList<>();
            for (int i = 0; i < to; i++) {
                addresses.add(r.nextInt(25) == 0 ? BAD_ADDRESSES[r.nextInt(BAD_ADDRESSES.length)]
                        : r.nextInt(25) == 0 ? "info@bücher.example" : ADDRESSES[r.nextInt(ADDRESSES.length)]);
            }
            members.add("\"to\": " + (r.nextInt(30) == 0 ? "\"ben@ifaxin.com\"" : jsonArray(addresses)));
            recipients = to;
        }
        if (r.nextInt(3) > 0) {
            final StringBuilder sub = new StringBuilder("{");
            final int variables = 1 + r.nextInt(3);
            for (int v = 0; v < variables; v++) {
                final int length = Math.max(0, recipients + (r.nextInt(8) == 0 ? -1 : r.nextInt(3)));
                final List<String> values = new ArrayList<>();
                for (int i = 0; i < length; i++) {
                    values.add(switch (r.nextInt(12)) {
                        case 0 -> String.valueOf(r.nextInt(1000));
                        case 1 -> "4.50";
                        case 2 -> "true";
                        case 3 -> r.nextInt(4) == 0 ? "null" : "\"%silver%\"";
                        case 4 -> r.nextInt(4) == 0 ? "{\"x\": 1}" : "\"银牌\"";
                        default -> "\"v" + i + "\"";
                    });
                }
                sub.append(v > 0 ? ", " : "").append('"').append(r.nextInt(20) == 0 ? "" : "%var" + v + "%").append("\": ")
                        .append(r.nextInt(25) == 0 ? "\"scalar\"" : "[" + String.join(", ", values) + "]");
            }
            if (r.nextInt(25) == 0) {
                sub.append(", \"%var0%\": []"); // duplicate key
            }
            members.add("\"sub\": " + sub.append('}'));
        }
        if (r.nextInt(3) == 0) {
            members.add("\"section\": " + (r.nextInt(15) == 0 ? "[]" : "{\"silver\": \"some words\", \"golden\": "
                    + (r.nextInt(10) == 0 ? "[1]" : "42") + "}"));
        }
        if (r.nextInt(3) == 0) {
            final String enable = switch (r.nextInt(8)) {
                case 0 -> "1";
                case 1 -> "true";
                case 2 -> "\"yes\"";
                case 3 -> "\"0\"";
                default -> "\"1\"";
            };
            final String filter = switch (r.nextInt(4)) {
                case 0 -> "click_tracking";
                case 1 -> "subscription_tracking";
                case 2 -> "bypass_list_management";
                default -> "open_tracking";
            };
            final String body = r.nextInt(15) == 0 ? "{\"" + filter + "\": {}}"
                    : "{\"" + filter + "\": {\"settings\": {\"enable\": " + enable + "}}}";
            members.add("\"" + (r.nextBoolean() ? "filters" : "apps") + "\": " + (r.nextInt(20) == 0 ? "7" : body));
            if (r.nextInt(20) == 0) {
                members.add("\"filters\": {}, \"apps\": {}");
            }
        }
        if (r.nextInt(8) == 0) {
            members.add("\"settings\": {\"unknown\": true}, \"x-unknown\": 1");
        }
        json.append(String.join(", ", members)).append('}');
        String text = json.toString();
        switch (r.nextInt(30)) {
            case 0 -> text = text + " {}";          // trailing data
            case 1 -> text = text.substring(0, Math.max(1, text.length() - 2)); // truncated JSON
            case 2 -> text = "[" + text + "]";       // not an object
            case 3 -> text = "";                      // empty
            default -> {
            }
        }
        String encoded = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        switch (r.nextInt(25)) {
            case 0 -> encoded = encoded.replace("=", "");                 // no padding: tolerated
            case 1 -> encoded = encoded.substring(0, encoded.length() / 2) + "!" + encoded.substring(encoded.length() / 2);
            case 2 -> encoded = encoded.substring(0, Math.max(0, encoded.length() - 5)); // cut mid-quantum
            default -> {
            }
        }
        return switch (r.nextInt(6)) {
            case 0 -> fold(encoded, 1 + r.nextInt(76), r.nextBoolean() ? " " : "\t");
            case 1 -> "=?utf-8?B?" + Base64.getEncoder().encodeToString(encoded.getBytes(StandardCharsets.US_ASCII)) + "?=";
            case 2 -> encoded.isEmpty() ? encoded : "=?utf-8?Q?" + encoded.replace("=", "=3D") + "?=";
            default -> encoded;
        };
    }

    private static String fold(final String value, final int width, final String indent) {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i += width) {
            out.append(i > 0 ? "\r\n" + indent : "").append(value, i, Math.min(value.length(), i + width));
        }
        return out.toString();
    }

    private static String jsonArray(final List<String> strings) {
        final List<String> quoted = new ArrayList<>();
        for (final String s : strings) {
            quoted.add('"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n") + '"');
        }
        return "[" + String.join(", ", quoted) + "]";
    }

    /** One SMTP transaction through the real ingest session. */
    private static Outcome submit(final Case c) {
        final Authenticator accounts = new Authenticator() {
            @Override
            public boolean verify(final String user, final String key) {
                return user.equals("api_user") && key.equals("api_key");
            }

            @Override
            public TrackingDefaults trackingDefaults(final String user) {
                return new TrackingDefaults(false, true, false);
            }
        };
        final InboundSession session = new InboundSession(SessionSettings.defaults("mx.test"), new SessionServices(accounts,
                AuthThrottle.NONE, RateLimiter.UNLIMITED, new MessageIdGenerator(CLOCK, "agreement"), CLOCK),
                ClientInfo.plain("192.0.2.1"), 1);
        session.greet();
        expectPositive(session.onLine("EHLO client.test"));
        expectPositive(session.onLine("AUTH PLAIN " + Base64.getEncoder().encodeToString(
                "\0api_user\0api_key".getBytes(StandardCharsets.UTF_8))));
        expectPositive(session.onLine("MAIL FROM:<support@ifaxin.com>" + (c.smtputf8() ? " SMTPUTF8" : "")));
        for (final String recipient : c.envelope()) {
            expectPositive(session.onLine("RCPT TO:<" + recipient + ">"));
        }
        final Step data = session.onLine("DATA");
        expectPositive(data);
        final Step.Action.ReadData read = (Step.Action.ReadData) data.action();
        final DataDecoder decoder = new DataDecoder(read.maxBytes(), read.maxLineLength());
        final byte[] bytes = (c.headers() + "\r\nDear %var0%,\r\nhello.\r\n.\r\n").getBytes(StandardCharsets.UTF_8);
        decoder.feed(bytes, 0, bytes.length);
        final Step step = session.onData(decoder.outcome());
        if (step.action() instanceof Step.Action.Submit submit) {
            final SmtpReply queued = session.onQueued().replies().get(0);
            return new Outcome(queued.toString(), submit.submission());
        }
        return new Outcome(step.replies().get(0).toString(), null);
    }

    private static void expectPositive(final Step step) {
        assertThat(step.replies()).allSatisfy(reply -> assertThat(reply.code()).as(reply.toString()).isLessThan(400));
    }

    /** The record ingest would have written, for asking the expander about what ingest refused. */
    private static RawMessage record(final Case c) {
        return RawMessage.newBuilder()
                .setMessageId("1_2_3_4.agreement-inbound")
                .setApiUser("api_user")
                .setMailFrom("support@ifaxin.com")
                .setRecipients(c.envelope())
                .setReceivedAt(CLOCK.instant())
                .setClientAddress("192.0.2.1")
                .setClientHelo("client.test")
                .setSmtputf8(c.smtputf8())
                .setContent(ByteBuffer.wrap((c.headers() + "\r\nDear %var0%,\r\nhello.\r\n").getBytes(StandardCharsets.UTF_8)))
                .build();
    }
}
