package dev.mailpipe.expander.core;

import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.address.Mailbox;
import dev.mailpipe.core.mail.EmailIds;
import dev.mailpipe.core.mail.HeaderBlock;
import dev.mailpipe.core.smtpapi.FilterOverrides;
import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.expander.mime.MessageTemplate;
import dev.mailpipe.expander.mime.Personal;
import dev.mailpipe.expander.mime.UnstructuredText;
import dev.mailpipe.expander.mime.Variables;
import dev.mailpipe.expander.smtpapi.Personalisation;
import dev.mailpipe.expander.tracking.Tracker;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.TrackingFilters;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one accepted submission into its personalised emails, as SendCloud documents X-SMTPAPI
 * (seed 000). Pure: no I/O, no clock; the same input always gives the same output, which is what
 * lets Kafka Streams re-run it after a crash without changing a single byte.
 */
public final class Expander {

    /** Prefix of the reason of every X-SMTPAPI problem (SendCloud's wording). */
    public static final String XSMTPAPI_ERROR = "xsmtpapi error: ";

    /**
     * Largest email the expander writes: Kafka's record limit ({@code KafkaDefaults.MAX_RECORD_BYTES},
     * 20 MiB) minus 1 MiB for the record's other fields. Values inserted many times could otherwise
     * build an email Kafka refuses, which would stop the app instead of rejecting one submission.
     */
    public static final int MAX_EMAIL_BYTES = 19 * 1024 * 1024;

    /** The defaults of a submission that carries none (written before accounts had filters, or all off). */
    private static final TrackingFilters ALL_OFF = TrackingFilters.newBuilder().build();

    private final String messageIdDomain;
    private final int maxEmailBytes;
    private final Tracker tracker;

    /**
     * @param messageIdDomain right-hand side of each email's Message-ID; blank = the envelope sender's domain
     */
    public Expander(final String messageIdDomain) {
        this(messageIdDomain, null);
    }

    /**
     * @param tracker applies the tracking filters after substitution; null = no tracking (filters
     *                are then only carried on the records)
     */
    public Expander(final String messageIdDomain, final Tracker tracker) {
        this(messageIdDomain, MAX_EMAIL_BYTES, tracker);
    }

    Expander(final String messageIdDomain, final int maxEmailBytes) {
        this(messageIdDomain, maxEmailBytes, null);
    }

    Expander(final String messageIdDomain, final int maxEmailBytes, final Tracker tracker) {
        this.messageIdDomain = messageIdDomain == null ? "" : messageIdDomain.strip();
        this.maxEmailBytes = maxEmailBytes;
        this.tracker = tracker;
    }

    public Expansion expand(final RawMessage raw) {
        final byte[] content = bytesOf(raw.getContent());
        final HeaderBlock header = HeaderBlock.scan(content, 0, content.length);
        final Map<String, String> customHeaders = customHeaders(header);
        final XSmtpApi api;
        try {
            api = XSmtpApiHeader.read(header, raw.getRecipients().size(), raw.getSmtputf8());
        } catch (final XSmtpApiException e) {
            return new Expansion.Invalid(XSMTPAPI_ERROR + e.getMessage(), customHeaders);
        }
        final List<String> recipients = api.to().orElseGet(() -> List.copyOf(raw.getRecipients()));
        if (recipients.isEmpty()) {
            return new Expansion.Invalid("no recipients", customHeaders);
        }
        final List<Mailbox> mailboxes = new ArrayList<>(recipients.size());
        for (final String recipient : recipients) {
            try {
                mailboxes.add(Mailbox.parse(recipient, raw.getSmtputf8()));
            } catch (final AddressException e) {
                return new Expansion.Invalid("recipient not accepted: " + e.getMessage(), customHeaders);
            }
        }
        final Personalisation personalisation;
        try {
            personalisation = Personalisation.of(api, recipients.size());
        } catch (final XSmtpApiException e) {
            return new Expansion.Invalid(XSMTPAPI_ERROR + e.getMessage(), customHeaders);
        }
        // ingest-smtp copies the account's defaults onto the record, so the expander never reads mail.accounts
        final TrackingFilters filters = mergeOver(api.filters(),
                raw.getAccountFilters() == null ? ALL_OFF : raw.getAccountFilters());
        final MessageTemplate template = MessageTemplate.parse(content,
                Variables.of(personalisation.variables()), api.to().isPresent(), rfc5322Date(raw.getReceivedAt()));
        final String domain = messageIdDomain.isEmpty() ? domainOf(raw.getMailFrom()) : messageIdDomain;
        // One email: the client's Message-ID stays (the id nodemailer returns is the one delivered);
        // a fan-out gives each email its own, derived from its emailId.
        final String clientMessageId = recipients.size() == 1 ? EmailIds.clientMessageId(header) : null;
        final List<OutboundEmail> emails = new ArrayList<>(recipients.size());
        for (int index = 0; index < recipients.size(); index++) {
            final String recipient = recipients.get(index);
            final String emailId = EmailIds.emailId(raw.getMessageId(), index, recipient);
            final String messageIdHeader = clientMessageId != null ? clientMessageId
                    : EmailIds.messageIdHeader(raw.getMessageId(), index, domain);
            byte[] email = template.render(new Personal(recipient, messageIdHeader,
                    personalisation.valuesFor(index)));
            if (tracker != null) { // substitutions first, tracking second: links carry the substituted URLs
                email = tracker.apply(email, filters, new TrackingToken(TrackingKind.OPEN, emailId,
                        raw.getMessageId(), raw.getApiUser(), recipient, null, raw.getLabel(), raw.getMailListTaskId(),
                        customHeaders), raw.getAccountFooterText());
            }
            if (email.length > maxEmailBytes) {
                return new Expansion.Invalid("email " + index + " would be " + email.length + " bytes, more than "
                        + maxEmailBytes + " after substitution", customHeaders);
            }
            emails.add(OutboundEmail.newBuilder()
                    .setEmailId(emailId)
                    .setMessageId(raw.getMessageId())
                    .setIndex(index)
                    .setApiUser(raw.getApiUser())
                    .setLabel(raw.getLabel())
                    .setMailFrom(raw.getMailFrom())
                    .setRecipient(recipient)
                    .setRecipientDomain(mailboxes.get(index).asciiDomain())
                    .setSubmittedAt(raw.getReceivedAt())
                    .setCustomHeaders(new LinkedHashMap<>(customHeaders))
                    .setFilters(filters)
                    .setSmtputf8(raw.getSmtputf8())
                    .setMailListTaskId(raw.getMailListTaskId())
                    .setInternetMessageId(messageIdHeader.substring(1, messageIdHeader.length() - 1))
                    .setContent(ByteBuffer.wrap(email))
                    .build());
        }
        return new Expansion.Expanded(emails, customHeaders);
    }

    /** The account's defaults with this submission's explicit settings on top. */
    static TrackingFilters mergeOver(final FilterOverrides overrides, final TrackingFilters defaults) {
        return TrackingFilters.newBuilder()
                .setSubscriptionTracking(overrides.subscriptionTracking().orElse(defaults.getSubscriptionTracking()))
                .setOpenTracking(overrides.openTracking().orElse(defaults.getOpenTracking()))
                .setClickTracking(overrides.clickTracking().orElse(defaults.getClickTracking()))
                .build();
    }

    /** Lower-case ASCII domain of an address (the sender's may be the null path: then empty). */
    private static String domainOf(final String address) {
        final int at = address.lastIndexOf('@');
        return at < 0 ? "" : new Mailbox(address.substring(0, at), address.substring(at + 1)).asciiDomain();
    }

    private static Map<String, String> customHeaders(final HeaderBlock header) {
        final Map<String, String> custom = new LinkedHashMap<>();
        for (final HeaderBlock.Field field : header.fields()) {
            if (MessageTemplate.isCustomField(field.name())) {
                custom.putIfAbsent(field.name(), UnstructuredText.decode(field.value()));
            }
        }
        return custom;
    }

    /** {@code Mon, 23 Nov 2026 16:00:00 +0000}: the submission time, so re-expansion gives the same bytes. */
    static String rfc5322Date(final java.time.Instant at) {
        return DATE.format(at.atZone(java.time.ZoneOffset.UTC));
    }

    private static final java.time.format.DateTimeFormatter DATE =
            java.time.format.DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", java.util.Locale.US);

    private static byte[] bytesOf(final ByteBuffer buffer) {
        final ByteBuffer copy = buffer.duplicate();
        final byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
