package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.webhooks.core.EventFields;
import dev.mailpipe.webhooks.core.Signature;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignatureTest {

    @Test
    void shouldSignTimestampAndTokenWithHmacSha256AsSendCloudDocuments() {
        // hex(HMAC-SHA256(key = appKey, msg = str(timestamp) + token)), as Python's hmac computes it
        assertThat(Signature.sign("k", 1426571113188L, "iSXtPWbCNO5qiBrLhTRX48dbRujd3t0lL8RLg7ocJbhiDh6WxJ"))
                .isEqualTo("7bd91d60801b55532167e687ba702b9e1137fba43d322a1b31711aceb0685316");
        // a batch signs timestamp + token + body
        assertThat(Signature.signBody("k", 1, "t", "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("ccb4a84f909136106d85387afd809d02fc8b0c78cbae7def1c0c4b129daf759b");
        assertThat(Signature.signBody("Jefe", 0, "", new byte[0])).isEqualTo(Signature.sign("Jefe", 0, ""));
    }

    @Test
    void shouldMakeA50CharacterTokenPerPost() {
        assertThat(Signature.newToken()).hasSize(50).matches("[A-Za-z0-9]+").isNotEqualTo(Signature.newToken());
    }

    @Test
    void shouldFormEncodeTheEventsFieldsInSendCloudsNames() {
        final DeliveryEvent event = DeliveryEvent.newBuilder().setType(EventType.click).setMessageId("m")
                .setEmailId("m0$ben@ifaxin.com").setApiUser("u").setLabel("7").setRecipient("ben@ifaxin.com")
                .setTimestamp(Instant.ofEpochMilli(1426571238869L)).setEventId("e1").setUrl("http://www.ifaxin.com/?a=1&b=2")
                .setOsName("Windows 7").build();

        final Map<String, String> fields = EventFields.signed(EventFields.of("click", event), "key", "t".repeat(50));

        assertThat(fields).containsEntry("event", "click").containsEntry("category", "u").containsEntry("labelId", "7")
                .containsEntry("url", "http://www.ifaxin.com/?a=1&b=2").containsEntry("oSName", "Windows 7")
                .containsEntry("timestamp", "1426571238869").containsEntry("message", "click email")
                .containsEntry("signature", Signature.sign("key", 1426571238869L, "t".repeat(50)));
        assertThat(EventFields.formEncode(Map.of("url", "http://x/?a=1&b=2"))).isEqualTo("url=http%3A%2F%2Fx%2F%3Fa%3D1%26b%3D2");
    }
}
