package dev.mailpipe.webhooks.bench;

import com.sun.net.httpserver.HttpServer;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaCluster;
import dev.mailpipe.testsupport.WebhookReceiver;
import dev.mailpipe.webhooks.WebhooksApp;
import dev.mailpipe.webhooks.WebhooksCli;
import dev.mailpipe.webhooks.WebhooksConfig;
import dev.mailpipe.webhooks.core.Signature;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Events per second one webhooks instance posts to a local receiver (not a test). The events are
 * on {@code mail.delivery-events} before the service starts; the rate is counted at the receiver
 * from its first to its last accepted event. Scenarios: form posts to a JDK HttpServer receiver
 * in this JVM that checks every signature; JSON batches to it; form posts to the Python receiver
 * of examples/webhook_receiver.py (SendCloud's verify function).
 */
public final class WebhooksBenchmark {

    private static final Pattern APP_KEY = Pattern.compile("(?m)^appKey=(\\S+)$");

    private WebhooksBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        final int events = intArg(args, "--events", 5000);
        final int concurrency = intArg(args, "--concurrency", 8);
        try (KafkaCluster kafka = KafkaCluster.start()) {
            System.out.printf("webhooks benchmark: %d events per scenario, endpoint concurrency %d%n", events, concurrency);
            run(kafka, "form -> JDK HttpServer (signature checked)", "jdk-form", false, events, concurrency, false);
            run(kafka, "json batch -> JDK HttpServer (signature checked)", "jdk-batch", true, events, concurrency, false);
            run(kafka, "form -> Python receiver (SendCloud verify)", "py-form", false, Math.min(events, 2000),
                    concurrency, true);
        }
        System.exit(0);
    }

    private static void run(final KafkaCluster kafka, final String title, final String account, final boolean batch,
            final int events, final int concurrency, final boolean python) throws Exception {
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong first = new AtomicLong();
        final AtomicLong last = new AtomicLong();
        final List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer jdk = null;
        WebhookReceiver py = null;
        final String url;
        final LongSupplier count;
        if (python) {
            py = WebhookReceiver.start(Path.of("examples/webhook_receiver.py"), "127.0.0.1", 0);
            url = py.url("/bench");
            final WebhookReceiver receiver = py;
            count = () -> receiver.accepted().size();
        } else {
            jdk = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            jdk.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            jdk.createContext("/", exchange -> {
                final byte[] body = exchange.getRequestBody().readAllBytes();
                final int n = verified(exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestHeaders()
                        .getFirst("X-Mailpipe-Timestamp"), exchange.getRequestHeaders().getFirst("X-Mailpipe-Token"),
                        exchange.getRequestHeaders().getFirst("X-Mailpipe-Signature"), body, keys);
                exchange.sendResponseHeaders(n > 0 ? 200 : 403, -1);
                exchange.close();
                if (n > 0) {
                    final long now = System.nanoTime();
                    first.compareAndSet(0, now);
                    last.set(now);
                    accepted.addAndGet(n);
                }
            });
            jdk.start();
            url = "http://127.0.0.1:" + jdk.getAddress().getPort() + "/bench";
            count = accepted::get;
        }
        final List<String> add = new ArrayList<>(List.of("add", "--account", account, "--url", url));
        if (batch) {
            add.add("--json-batch");
        }
        final StringWriter out = new StringWriter();
        WebhooksCli.run(add.toArray(String[]::new), Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()),
                new PrintWriter(out), new PrintWriter(System.err));
        final Matcher m = APP_KEY.matcher(out.toString());
        if (!m.find()) {
            throw new IllegalStateException("webhooks add failed: " + out);
        }
        keys.add(m.group(1));
        if (py != null) {
            py.addKey(m.group(1));
        }
        try (KafkaProducer<String, DeliveryEvent> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", 5),
                Topics.DELIVERY_EVENTS.keySerde().serializer(), Topics.DELIVERY_EVENTS.valueSerde().serializer())) {
            for (int i = 0; i < events; i++) {
                final String messageId = account + "-" + i + "-inbound";
                producer.send(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), messageId, DeliveryEvent.newBuilder()
                        .setType(EventType.delivered).setMessageId(messageId).setEmailId(messageId + "0$r" + i + "@b.test")
                        .setApiUser(account).setRecipient("r" + i + "@b.test").setLabel("1")
                        .setTimestamp(Instant.now()).setEventId("e-" + account + "-" + i).build()));
            }
        }
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", kafka.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "6");
        values.put("webhook.group.id", "bench-" + account);
        values.put("webhook.allowed.networks", "127.0.0.0/8");
        values.put("webhook.endpoint.concurrency", String.valueOf(concurrency));
        final long start = System.nanoTime();
        final long pyFirst;
        try (WebhooksApp app = WebhooksApp.start(new WebhooksConfig(values), new SimpleMeterRegistry())) {
            long seen = 0;
            long firstSeen = 0;
            final long deadline = System.nanoTime() + 300_000_000_000L;
            while ((seen = count.getAsLong()) < events && System.nanoTime() < deadline) {
                if (seen > 0 && firstSeen == 0) {
                    firstSeen = System.nanoTime();
                }
                Thread.sleep(python ? 200 : 20);
            }
            pyFirst = firstSeen;
            if (python) {
                first.set(pyFirst);
                last.set(System.nanoTime());
            }
            final double total = (System.nanoTime() - start) / 1e9;
            final double steady = (last.get() - first.get()) / 1e9;
            System.out.printf("%-50s %6d events  %8.0f events/s (first to last)  %8.0f events/s (incl. start %.1f s)%n",
                    title, seen, (seen - 1) / Math.max(steady, 1e-9), seen / total, total);
        } finally {
            if (jdk != null) {
                jdk.stop(0);
            }
            if (py != null) {
                py.close();
            }
        }
    }

    /** Events in a verified post (0: not verified). */
    private static int verified(final String contentType, final String ts, final String token, final String sig,
            final byte[] body, final List<String> keys) {
        if (contentType != null && contentType.startsWith("application/json")) {
            for (final String k : keys) {
                if (Signature.signBody(k, Long.parseLong(ts), token, body).equals(sig)) {
                    int n = 0;
                    for (final byte b : body) {
                        if (b == '{') {
                            n++;
                        }
                    }
                    return n;
                }
            }
            return 0;
        }
        final Map<String, String> f = new HashMap<>();
        for (final String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            final int eq = pair.indexOf('=');
            f.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        for (final String k : keys) {
            if (Signature.sign(k, Long.parseLong(f.get("timestamp")), f.get("token")).equals(f.get("signature"))) {
                return 1;
            }
        }
        return 0;
    }

    private static int intArg(final String[] args, final String name, final int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
