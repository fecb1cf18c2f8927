package dev.mailpipe.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailpipe.core.accounts.Credentials;
import dev.mailpipe.core.domains.SenderAuthorisation;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.EmailIds;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.platform.queue.Submission;
import dev.mailpipe.platform.queue.Submitter;
import dev.mailpipe.schemas.DeliveryStats;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SendCloud's apiv2 over HTTP: {@code POST /apiv2/mail/send}. Authenticates against the same
 * accounts as SMTP ingest ({@link AccountStore}, PBKDF2, constant time), maps the form with
 * {@link SendRequest} and queues the very {@code RawMessage} SMTP ingest queues, through the same
 * {@link Submitter}; it answers only after Kafka acknowledged the record. The {@link Guards} are
 * SMTP ingest's rules: one rate limit per account across SMTP, the API and every replica; failed
 * logins throttled per client address like failed AUTH; sender domains authorised; SMTP's SIZE
 * for the whole request.
 */
public final class ApiRoutes {

    /**
     * What SMTP ingest applies too.
     *
     * @param rateLimiter the per-account budget shared with SMTP ingest across replicas
     * @param logins failed logins per client address
     * @param senders sender-domain authorisation (MAILPIPE_SENDER_DOMAINS)
     * @param maxRequestBytes the whole request at most (SMTP's SIZE)
     * @param clientAddress the client's address of a request (X-Forwarded-For only from trusted proxies)
     */
    public record Guards(RateLimiter rateLimiter, AuthThrottle logins, SenderAuthorisation senders,
            int maxRequestBytes, Function<ServerRequest, String> clientAddress) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccountStore accounts;
    private final Submitter submitter;
    private final MessageIdGenerator messageIds;
    private final Clock clock;
    private final Guards guards;
    private final ListRoutes lists;
    private final StatsRoutes stats;
    private final AtomicLong requests = new AtomicLong();

    public ApiRoutes(final AccountStore accounts, final Submitter submitter, final MessageIdGenerator messageIds,
            final Clock clock, final Guards guards, final AddressBook addressBook,
            final Supplier<Collection<DeliveryStats>> statistics) {
        this.accounts = accounts;
        this.submitter = submitter;
        this.messageIds = messageIds;
        this.clock = clock;
        this.guards = guards;
        this.lists = new ListRoutes(this, addressBook);
        this.stats = new StatsRoutes(statistics);
    }

    /** The largest request accepted, in bytes. */
    public int maxRequestBytes() {
        return guards.maxRequestBytes();
    }

    public void register(final HttpRouting.Builder routing) {
        routing.post("/apiv2/mail/send", (req, res) -> handle(req, res, this::send));
        final Map<String, Handler> calls = new LinkedHashMap<>();
        calls.put("/apiv2/mail/taskinfo", lists::taskInfo);
        // SendCloud's documents spell them statday and stathour, its clients often statDay and statHour
        for (final String day : List.of("statday", "statDay")) {
            calls.put("/apiv2/" + day + "/list", stats::statDay);
        }
        for (final String hour : List.of("stathour", "statHour")) {
            calls.put("/apiv2/" + hour + "/list", stats::statHour);
        }
        for (final String op : List.of("add", "list", "update", "delete")) {
            calls.put("/apiv2/addresslist/" + op, call -> lists.addressList(op, call));
            calls.put("/apiv2/addressmember/" + op, call -> lists.addressMember(op, call));
        }
        // SendCloud takes these as GET with a query or as POST with a form
        calls.forEach((path, handler) -> routing.get(path, (req, res) -> handle(req, res, handler))
                .post(path, (req, res) -> handle(req, res, handler)));
    }

    /** An authenticated API call: who, the fields (query and form), the files, the client's address. */
    record Call(Credentials credentials, Map<String, String> form, List<SendRequest.Attachment> attachments,
            String client, Instant now) {
        String apiUser() {
            return credentials.apiUser();
        }
    }

    @FunctionalInterface
    interface Handler {
        /** The answer's {@code info}. */
        ObjectNode handle(Call call) throws ApiException;
    }

    /**
     * Every route: request size (413), the failed-login throttle (429), credentials (401), then the
     * handler; SendCloud's JSON shape either way; Kafka trouble is 503, never a stack trace.
     */
    private void handle(final ServerRequest req, final ServerResponse res, final Handler handler) {
        try {
            final FormData.Parsed parsed = form(req, guards.maxRequestBytes());
            final Map<String, String> form = new HashMap<>(parsed.fields());
            req.query().names().forEach(name -> form.putIfAbsent(name, req.query().get(name)));
            final String client = guards.clientAddress().apply(req);
            if (guards.logins().isBlocked(client)) {
                throw new ApiException(429, "too many failed logins from this address, try again later");
            }
            final String login = form.getOrDefault("apiUser", "");
            final String key = form.getOrDefault("apiKey", "");
            final Credentials credentials = Credentials.parse(login);
            if (login.isBlank() || key.isEmpty() || !accounts.verify(credentials.apiUser(), key)) {
                guards.logins().recordFailure(client);
                throw new ApiException(401, "apiUser or apiKey is wrong");
            }
            final ObjectNode info = handler.handle(new Call(credentials, form, parsed.attachments(), client,
                    clock.instant()));
            final ObjectNode body = JSON.createObjectNode();
            body.put("result", true).put("statusCode", 200).put("message", "请求成功");
            body.set("info", info);
            json(res, 200, body);
        } catch (final ApiException e) {
            error(res, e.status(), e.getMessage());
        } catch (final IllegalStateException e) {
            LOG.warn("api {}: {}", req.path().path(), e.getMessage());
            error(res, 503, "the request could not be completed now, try again later");
        }
    }

    private static void error(final ServerResponse res, final int status, final String message) {
        final ObjectNode body = JSON.createObjectNode();
        body.put("result", false).put("statusCode", status).put("message", message);
        body.putObject("info");
        json(res, status, body);
    }

    /** The sender's domain (403) and the shared rate budget (429), as SMTP ingest applies them. */
    void admit(final Call call, final SendRequest.Mapped mapped) throws ApiException {
        if (guards.senders().check(call.apiUser(), mapped.mailFrom(), mapped.content())
                instanceof SenderAuthorisation.Refused refused) {
            throw new ApiException(403, refused.text());
        }
        // counted once per accepted call, as SMTP counts MAIL FROM: "API and SMTP calls together"
        if (!guards.rateLimiter().tryAcquire(call.apiUser())) {
            throw new ApiException(429, "Frequency limited: over the account's rate limit, try again later");
        }
    }

    /** The submission of a mapped call (a list send's template has no recipients). */
    Submission submission(final Call call, final SendRequest.Mapped mapped, final String messageId,
            final List<String> recipients) {
        final String label = mapped.label() != null ? mapped.label() : call.credentials().label();
        return new Submission(messageId, call.apiUser(), label, mapped.mailFrom(), recipients, call.now(),
                call.client(), "", null, mapped.content(), accounts.trackingDefaults(call.apiUser()), false,
                Submission.API);
    }

    String nextId() {
        return messageIds.next(requests.incrementAndGet());
    }

    private ObjectNode send(final Call call) throws ApiException {
        final Map<String, String> form = call.form();
        if ("true".equalsIgnoreCase(form.getOrDefault("useAddressList", "false").strip())) {
            return lists.send(call);
        }
        final SendRequest.Mapped mapped = SendRequest.map(form, call.attachments(), call.now());
        admit(call, mapped);
        final String messageId = nextId();
        if (!submitter.submit(submission(call, mapped, messageId, mapped.recipients()))) {
            throw new ApiException(503, "the mail could not be queued now, try again later");
        }
        final ObjectNode info = JSON.createObjectNode();
        if (!"false".equalsIgnoreCase(form.getOrDefault("respEmailId", "true").strip())) {
            final var ids = info.putArray("emailIdList");
            for (int i = 0; i < mapped.recipients().size(); i++) {
                ids.add(EmailIds.emailId(messageId, i, mapped.recipients().get(i)));
            }
        }
        LOG.debug("api send {} from {} to {} recipients", messageId, call.apiUser(), mapped.recipients().size());
        return info;
    }

    static void json(final ServerResponse res, final int status, final ObjectNode body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FormData.Parsed form(final ServerRequest req, final int maxBytes) throws ApiException {
        if (!req.content().hasEntity()) {
            return new FormData.Parsed(Map.of(), List.of()); // a GET: the query holds the fields
        }
        final String contentType = req.headers().contentType().map(t -> t.text()).orElse("");
        final String type = contentType.toLowerCase(Locale.ROOT);
        final boolean multipart = type.startsWith("multipart/form-data");
        if (!multipart && !type.startsWith("application/x-www-form-urlencoded")) {
            throw new ApiException(415, "send the fields as application/x-www-form-urlencoded or multipart/form-data");
        }
        final byte[] body;
        if (!req.content().hasEntity()) {
            body = new byte[0];
        } else {
            try (InputStream in = req.content().inputStream()) {
                body = in.readNBytes(maxBytes + 1);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (body.length > maxBytes) {
            throw new ApiException(413, "the request is larger than " + maxBytes + " bytes (the SMTP SIZE limit)");
        }
        return multipart ? FormData.parse(contentType, body)
                : new FormData.Parsed(parse(new String(body, StandardCharsets.ISO_8859_1)), List.of());
    }

    /** application/x-www-form-urlencoded, UTF-8; a repeated field keeps its first value. */
    static Map<String, String> parse(final String body) throws ApiException {
        final Map<String, String> form = new HashMap<>();
        for (final String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String name = eq < 0 ? pair : pair.substring(0, eq);
            final String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                form.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (final IllegalArgumentException e) {
                throw new ApiException(400, "the form is not valid application/x-www-form-urlencoded");
            }
        }
        return form;
    }
}
