package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.RemoteReply;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-23T08:15:30.123Z");

    static DeliveryEvent.Builder minimal() {
        return DeliveryEvent.newBuilder().setType(EventType.request).setMessageId("m-1").setTimestamp(AT);
    }

    @Test
    void shouldRenderEveryFieldOfABouncedEvent() throws Exception {
        final DeliveryEvent event = minimal().setType(EventType.bounced).setEmailId("m-1.0").setApiUser("shop")
                .setLabel("newsletter").setRecipient("bob@example.test").setAttempt(3).setMxHost("mx1.example.test")
                .setRemoteReply(new RemoteReply(550, "5.1.1", "no such user"))
                .setReason("hard bounce").setCustomHeaders(Map.of("X-Campaign", "c42", "X-A", "1")).build();

        final String line = EventJson.render(event);

        assertThat(line).doesNotContain("\n");
        final JsonNode json = MAPPER.readTree(line);
        assertThat(fieldNames(json)).containsExactly("type", "messageId", "emailId", "apiUser", "label", "recipient",
                "timestamp", "attempt", "mxHost", "remoteReply", "reason", "customHeaders");
        assertThat(json.get("type").asText()).isEqualTo("bounced");
        assertThat(json.get("messageId").asText()).isEqualTo("m-1");
        assertThat(json.get("emailId").asText()).isEqualTo("m-1.0");
        assertThat(json.get("apiUser").asText()).isEqualTo("shop");
        assertThat(json.get("label").asText()).isEqualTo("newsletter");
        assertThat(json.get("recipient").asText()).isEqualTo("bob@example.test");
        assertThat(json.get("timestamp").asText()).isEqualTo("2026-11-23T08:15:30.123Z");
        assertThat(json.get("attempt").isInt()).isTrue();
        assertThat(json.get("attempt").asInt()).isEqualTo(3);
        assertThat(json.get("mxHost").asText()).isEqualTo("mx1.example.test");
        assertThat(json.get("remoteReply").get("code").asInt()).isEqualTo(550);
        assertThat(json.get("remoteReply").get("enhancedStatus").asText()).isEqualTo("5.1.1");
        assertThat(json.get("remoteReply").get("text").asText()).isEqualTo("no such user");
        assertThat(json.get("reason").asText()).isEqualTo("hard bounce");
        assertThat(fieldNames(json.get("customHeaders"))).containsExactly("X-A", "X-Campaign");
        assertThat(json.get("customHeaders").get("X-Campaign").asText()).isEqualTo("c42");
    }

    @Test
    void shouldRenderTheEngagementAndBounceFields() throws Exception {
        final JsonNode click = MAPPER.readTree(EventJson.render(minimal().setType(EventType.click)
                .setUrl("https://shop.test/?a=1").setIp("192.0.2.1").setUserAgent("Mozilla/5.0").setExplorerName("Chrome")
                .setExplorerVer("120").setOsName("Windows").setOsVer("10").setMachineOpen(true).build()));
        final JsonNode bounce = MAPPER.readTree(EventJson.render(minimal().setType(EventType.bounced)
                .setBounceClass(dev.mailpipe.schemas.BounceClass.hard).build()));

        assertThat(click.get("url").asText()).isEqualTo("https://shop.test/?a=1");
        assertThat(click.get("ip").asText()).isEqualTo("192.0.2.1");
        assertThat(click.get("explorerName").asText()).isEqualTo("Chrome");
        assertThat(click.get("osVer").asText()).isEqualTo("10");
        assertThat(click.get("machineOpen").asBoolean()).isTrue();
        assertThat(bounce.get("bounceClass").asText()).isEqualTo("hard");
        assertThat(bounce.has("machineOpen")).isFalse();
    }

    @Test
    void shouldOmitAbsentOptionalFieldsButKeepApiUserAttemptAndEmptyHeaders() throws Exception {
        final JsonNode json = MAPPER.readTree(EventJson.render(minimal().setType(EventType.invalid).build()));

        assertThat(fieldNames(json)).containsExactly("type", "messageId", "apiUser", "timestamp", "attempt",
                "customHeaders");
        assertThat(json.get("apiUser").asText()).isEmpty();
        assertThat(json.get("attempt").asInt()).isZero();
        assertThat(json.get("customHeaders").isObject()).isTrue();
        assertThat(json.get("customHeaders").size()).isZero();
    }

    @Test
    void shouldOmitEnhancedStatusWhenTheServerGaveNone() throws Exception {
        final DeliveryEvent event = minimal().setType(EventType.deferred)
                .setRemoteReply(new RemoteReply(451, null, "try later")).build();

        final JsonNode reply = MAPPER.readTree(EventJson.render(event)).get("remoteReply");

        assertThat(fieldNames(reply)).containsExactly("code", "text");
        assertThat(reply.get("text").asText()).isEqualTo("try later");
    }

    @Test
    void shouldWriteUtf8RecipientAndHeadersUnescaped() throws Exception {
        final DeliveryEvent event = minimal().setType(EventType.delivered).setRecipient("jürgen@bücher.例え.test")
                .setCustomHeaders(Map.of("X-Note", "Grüße \"quoted\"")).build();

        final String line = EventJson.render(event);

        assertThat(line).contains("jürgen@bücher.例え.test");
        final JsonNode json = MAPPER.readTree(line);
        assertThat(json.get("recipient").asText()).isEqualTo("jürgen@bücher.例え.test");
        assertThat(json.get("customHeaders").get("X-Note").asText()).isEqualTo("Grüße \"quoted\"");
    }

    @Test
    void shouldRenderAnErrorLineWithPartitionAndOffset() throws Exception {
        final JsonNode json = MAPPER.readTree(EventJson.error("bad magic \"x\"", 2, 41L));

        assertThat(fieldNames(json)).containsExactly("error", "partition", "offset");
        assertThat(json.get("error").asText()).isEqualTo("bad magic \"x\"");
        assertThat(json.get("partition").asInt()).isEqualTo(2);
        assertThat(json.get("offset").asLong()).isEqualTo(41L);
    }

    private static List<String> fieldNames(final JsonNode node) {
        final List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
