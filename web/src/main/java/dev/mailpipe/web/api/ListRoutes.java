package dev.mailpipe.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.address.Mailbox;
import dev.mailpipe.core.lists.ListChunk;
import dev.mailpipe.core.lists.ListKeys;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.platform.queue.KafkaSubmitter;
import dev.mailpipe.schemas.AddressList;
import dev.mailpipe.schemas.AddressMember;
import dev.mailpipe.schemas.ListTask;
import dev.mailpipe.schemas.ListTaskProgress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SendCloud's address lists: {@code /apiv2/addresslist/{add,list,update,delete}},
 * {@code /apiv2/addressmember/{add,list,update,delete}}, {@code mail/send} with
 * {@code useAddressList=true} (answers at once with one {@code maillistTaskId} per list, the
 * expander sends in the background) and {@code /apiv2/mail/taskinfo}. Stored by {@link AddressBook}.
 */
final class ListRoutes {

    /** SendCloud: at most 5 lists per send, 1000 members per call, pages of at most 100. */
    static final int MAX_LISTS = 5;
    static final int MAX_MEMBERS_PER_CALL = 1000;
    static final int MAX_PAGE = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** taskinfo field names where they differ from the event type's. */
    private static final Map<String, String> COUNT_FIELDS = Map.of("spam_report", "spamReported");

    private final ApiRoutes api;
    private final AddressBook book;

    ListRoutes(final ApiRoutes api, final AddressBook book) {
        this.api = api;
        this.book = book;
    }

    ObjectNode addressList(final String op, final ApiRoutes.Call call) throws ApiException {
        final Map<String, String> f = call.form();
        return switch (op) {
            case "add" -> {
                final String address = listAddress(f);
                if (book.list(call.apiUser(), address).isPresent()) {
                    throw new ApiException(400, "address list " + address + " exists");
                }
                final AddressList list = AddressList.newBuilder().setApiUser(call.apiUser()).setAddress(address)
                        .setName(f.getOrDefault("name", "").strip()).setDescription(f.getOrDefault("desc", "").strip())
                        .setCreatedAt(call.now()).setUpdatedAt(call.now()).build();
                book.putList(list);
                final ObjectNode info = JSON.createObjectNode();
                info.set("data", json(list));
                yield info;
            }
            case "list" -> {
                final List<String> only = split(f.get("address"));
                final List<AddressList> all = book.lists(call.apiUser()).stream()
                        .filter(l -> only.isEmpty() || only.contains(l.getAddress())).toList();
                final int start = number(f, "start", 0, Integer.MAX_VALUE);
                final int limit = number(f, "limit", MAX_PAGE, MAX_PAGE);
                final ObjectNode info = JSON.createObjectNode();
                info.put("count", all.size());
                final ArrayNode data = info.putArray("dataList");
                all.stream().skip(start).limit(limit).forEach(l -> data.add(json(l)));
                yield info;
            }
            case "update" -> {
                final AddressList list = existing(call, f);
                if (f.containsKey("newAddress") && !f.get("newAddress").isBlank()) {
                    throw new ApiException(400, "renaming a list (newAddress) is not supported: add a new list");
                }
                book.putList(AddressList.newBuilder(list)
                        .setName(f.containsKey("name") ? f.get("name").strip() : list.getName())
                        .setDescription(f.containsKey("desc") ? f.get("desc").strip() : list.getDescription())
                        .setUpdatedAt(call.now()).build());
                yield count(1);
            }
            case "delete" -> {
                final AddressList list = existing(call, f);
                book.deleteList(call.apiUser(), list.getAddress());
                yield count(1);
            }
            default -> throw new ApiException(404, "no such call");
        };
    }

    ObjectNode addressMember(final String op, final ApiRoutes.Call call) throws ApiException {
        final Map<String, String> f = call.form();
        final AddressList list = existing(call, f);
        return switch (op) {
            case "add", "update" -> {
                final List<AddressMember> members = members(call, list, f);
                final boolean update = op.equals("update");
                if (update) {
                    // only members that are on the list are updated
                    final Map<String, AddressMember> on = new HashMap<>();
                    for (final AddressMember m : book.members(call.apiUser(), list.getAddress(), 0, Integer.MAX_VALUE)
                            .members()) {
                        on.put(ListKeys.normalise(m.getMember()), m);
                    }
                    final List<AddressMember> changed = new ArrayList<>();
                    for (final AddressMember m : members) {
                        final AddressMember old = on.get(ListKeys.normalise(m.getMember()));
                        if (old != null) {
                            changed.add(AddressMember.newBuilder(m).setCreatedAt(old.getCreatedAt()).build());
                        }
                    }
                    book.putMembers(changed);
                    yield count(changed.size());
                }
                book.putMembers(members);
                yield count(members.size());
            }
            case "list" -> {
                final AddressBook.Page page = book.members(call.apiUser(), list.getAddress(),
                        number(f, "start", 0, Integer.MAX_VALUE), number(f, "limit", MAX_PAGE, MAX_PAGE));
                final ObjectNode info = JSON.createObjectNode();
                info.put("count", page.total());
                final ArrayNode data = info.putArray("dataList");
                page.members().forEach(m -> data.add(json(m)));
                yield info;
            }
            case "delete" -> {
                final List<String> members = split(required(f, "members"));
                book.removeMembers(call.apiUser(), list.getAddress(), members);
                yield count(members.size());
            }
            default -> throw new ApiException(404, "no such call");
        };
    }

    /** {@code mail/send} with {@code useAddressList=true}: {@code to} holds up to 5 list addresses. */
    ObjectNode send(final ApiRoutes.Call call) throws ApiException {
        final List<String> addresses = split(required(call.form(), "to"));
        if (addresses.size() > MAX_LISTS) {
            throw new ApiException(400, "at most " + MAX_LISTS + " address lists per send, got " + addresses.size());
        }
        final List<AddressList> targets = new ArrayList<>();
        for (final String address : addresses) {
            targets.add(book.list(call.apiUser(), address).orElseThrow(() ->
                    new ApiException(400, "no address list " + address)));
        }
        final Map<String, String> form = new HashMap<>(call.form());
        form.remove("cc");
        form.remove("bcc");
        final SendRequest.Mapped mapped = SendRequest.map(form, call.attachments(), call.now());
        try {
            ListChunk.checkTemplate(mapped.content());
        } catch (final XSmtpApiException e) {
            throw new ApiException(400, "xsmtpapi: " + e.getMessage());
        }
        api.admit(call, mapped);
        final ObjectNode info = JSON.createObjectNode();
        final ArrayNode ids = info.putArray("maillistTaskId");
        for (final AddressList list : targets) {
            final String taskId = api.nextId();
            book.submit(ListTask.newBuilder().setTaskId(taskId).setApiUser(call.apiUser()).setList(list.getAddress())
                    .setTemplate(KafkaSubmitter.toRecord(api.submission(call, mapped, taskId, List.of())))
                    .build());
            ids.add(taskId);
        }
        info.set("addressListTaskId", ids.deepCopy());
        return info;
    }

    /** {@code mail/taskinfo?maillistTaskId=…}: where a list send stands. */
    ObjectNode taskInfo(final ApiRoutes.Call call) throws ApiException {
        final String id = required(call.form(), "maillistTaskId").strip();
        final ListTaskProgress p = book.progress(id).filter(t -> t.getApiUser().equals(call.apiUser()))
                .orElseThrow(() -> new ApiException(404, "no task " + id));
        final ObjectNode info = JSON.createObjectNode();
        info.put("maillistTaskId", p.getTaskId());
        info.put("addressList", p.getList());
        info.put("status", p.getStatus().name());
        info.put("total", p.getMembers());
        info.put("queued", p.getQueued());
        if (p.getReason() != null) {
            info.put("reason", p.getReason());
        }
        // what became of the emails, from the events (each email counted once per type)
        final Map<String, Long> byType = book.counts(id).map(c -> c.getCounts()).orElse(Map.of());
        for (final String type : List.of("request", "delivered", "deferred", "bounced", "expired", "dropped", "invalid",
                "open", "click", "unsubscribe", "spam_report")) {
            info.put(COUNT_FIELDS.getOrDefault(type, type), byType.getOrDefault(type, 0L));
        }
        info.put("hardBounced", book.counts(id).map(c -> c.getHardBounced()).orElse(0L));
        info.put("gmtCreated", p.getCreatedAt().toString());
        info.put("gmtUpdated", p.getUpdatedAt().toString());
        return info;
    }

    private AddressList existing(final ApiRoutes.Call call, final Map<String, String> f) throws ApiException {
        final String address = listAddress(f);
        return book.list(call.apiUser(), address).orElseThrow(() -> new ApiException(404, "no address list " + address));
    }

    /** The members of an add or update call: {@code members}, {@code names} and {@code vars} aligned. */
    private static List<AddressMember> members(final ApiRoutes.Call call, final AddressList list,
            final Map<String, String> f) throws ApiException {
        final List<String> addresses = split(required(f, "members"));
        if (addresses.isEmpty() || addresses.size() > MAX_MEMBERS_PER_CALL) {
            throw new ApiException(400, "members: 1 to " + MAX_MEMBERS_PER_CALL + " addresses per call");
        }
        final List<String> names = f.containsKey("names") ? List.of(f.get("names").split(";", -1)) : List.of();
        if (!names.isEmpty() && names.size() != addresses.size()) {
            throw new ApiException(400, "names: " + names.size() + " names for " + addresses.size() + " members");
        }
        final List<Map<String, String>> vars = vars(f.get("vars"), addresses.size());
        final Map<String, AddressMember> out = new LinkedHashMap<>();
        for (int i = 0; i < addresses.size(); i++) {
            final String address;
            try {
                address = Mailbox.parse(addresses.get(i), false).address();
            } catch (final AddressException e) {
                throw new ApiException(400, "members: " + addresses.get(i) + " is not an address: " + e.getMessage());
            }
            out.put(ListKeys.normalise(address), AddressMember.newBuilder().setApiUser(call.apiUser())
                    .setList(list.getAddress()).setMember(address)
                    .setName(names.isEmpty() ? "" : names.get(i).strip())
                    .setVars(vars.isEmpty() ? Map.of() : vars.get(i)).setCreatedAt(call.now()).setUpdatedAt(call.now())
                    .build());
        }
        return List.copyOf(out.values());
    }

    /** {@code vars}: a JSON array of objects, one per member, e.g. {@code [{"%money%":"1000"}, …]}. */
    static List<Map<String, String>> vars(final String json, final int members) throws ApiException {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        final JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (final JsonProcessingException e) {
            throw new ApiException(400, "vars is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray() || root.size() != members) {
            throw new ApiException(400, "vars must be a JSON array of " + members + " objects, one per member");
        }
        final List<Map<String, String>> out = new ArrayList<>();
        for (final JsonNode one : root) {
            if (!one.isObject()) {
                throw new ApiException(400, "vars: every element must be an object of substitution values");
            }
            final Map<String, String> values = new LinkedHashMap<>();
            final var fields = one.fields();
            while (fields.hasNext()) {
                final var e = fields.next();
                values.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
            out.add(values);
        }
        return out;
    }

    private static String listAddress(final Map<String, String> f) throws ApiException {
        final String raw = required(f, "address").strip();
        try {
            return ListKeys.normalise(Mailbox.parse(raw, false).address());
        } catch (final AddressException e) {
            throw new ApiException(400, "address: " + raw + " is not a list address: " + e.getMessage());
        }
    }

    private static String required(final Map<String, String> f, final String name) throws ApiException {
        final String v = f.get(name);
        if (v == null || v.isBlank()) {
            throw new ApiException(400, name + " is required");
        }
        return v;
    }

    static List<String> split(final String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(value.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static int number(final Map<String, String> f, final String name, final int dflt, final int max)
            throws ApiException {
        final String v = f.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            final int n = Integer.parseInt(v.strip());
            if (n < 0 || n > max) {
                throw new ApiException(400, name + " must be 0.." + max);
            }
            return n;
        } catch (final NumberFormatException e) {
            throw new ApiException(400, name + " must be a number");
        }
    }

    private static ObjectNode count(final int n) {
        return JSON.createObjectNode().put("count", n);
    }

    private static ObjectNode json(final AddressList l) {
        return JSON.createObjectNode().put("address", l.getAddress()).put("name", l.getName())
                .put("description", l.getDescription()).put("gmtCreated", time(l.getCreatedAt()))
                .put("gmtUpdated", time(l.getUpdatedAt()));
    }

    private static ObjectNode json(final AddressMember m) {
        final ObjectNode node = JSON.createObjectNode().put("member", m.getMember()).put("name", m.getName());
        final ObjectNode vars = node.putObject("vars");
        m.getVars().forEach(vars::put);
        return node.put("gmtCreated", time(m.getCreatedAt())).put("gmtUpdated", time(m.getUpdatedAt()));
    }

    private static String time(final Instant t) {
        return t.toString();
    }
}
