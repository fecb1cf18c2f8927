package dev.mailpipe.embedded;

import dev.mailpipe.core.dkim.DkimAlgorithm;
import dev.mailpipe.core.dkim.DnsRecords;
import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.core.domains.DomainNames;
import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.schemas.DkimKeyRecord;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ./mailpipe domains add|list|records|verify|rotate|remove}: the sender domains of the
 * accounts and their DKIM keys, in the compacted topic {@code mail.domains}. Private keys are
 * generated here, sealed under {@code MAILPIPE_KEYS_SECRET} and never printed.
 */
@Command(name = "domains", mixinStandardHelpOptions = true,
        description = "Manage sender domains and their DKIM keys (stored in Kafka, mail.domains).",
        subcommands = {DomainsCli.Add.class, DomainsCli.ListDomains.class, DomainsCli.Records.class,
            DomainsCli.Verify.class, DomainsCli.Rotate.class, DomainsCli.Remove.class})
public final class DomainsCli implements Callable<Integer> {

    static final int NOT_FOUND = 3;
    static final int EXISTS = 4;
    static final int NOT_PUBLISHED = 5;

    @Option(names = {"-b", "--bootstrap-servers"}, description = Cli.BOOTSTRAP_SERVERS_HELP)
    String bootstrapServers;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private Map<String, String> env = Map.of();
    private Map<String, String> values = Map.of();
    private Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Runs the CLI with {@code env} (environment variables); returns the exit code. */
    public static int run(final String[] args, final Map<String, String> env, final PrintWriter out, final PrintWriter err) {
        final DomainsCli cli = new DomainsCli();
        cli.env = env;
        cli.values = EnvConfig.fromEnvironment(env);
        return Cli.execute(new CommandLine(cli), args, out, err);
    }

    public static void main(final String[] args) {
        Cli.quietLogging();
        System.exit(run(args, System.getenv(), Cli.utf8(System.out), Cli.utf8(System.err)));
    }

    private String bootstrap() {
        return Cli.bootstrapServers(bootstrapServers, env);
    }

    CompactedTable<SenderDomain> open() {
        final String bootstrap = bootstrap();
        TopicProvisioner.ensure(bootstrap, -1, List.of(CompactedTable.topicSpec(Topics.DOMAINS.name())));
        return CompactedTable.start(bootstrap, "mailpipe-domains-cli", Topics.DOMAINS.name(), Topics.DOMAINS.valueSerde());
    }

    KeySealer sealer() {
        final Map<String, String> v = new java.util.HashMap<>(values);
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            v.put("bootstrap.servers", bootstrapServers);
        }
        final String secret = KeysSecret.resolve(v).orElseThrow(() -> new IllegalStateException(
                KeysSecret.VARIABLE + " is not set: against an external Kafka cluster the keys secret must be the one the"
                        + " deliverers use"));
        return KeySealer.of(secret);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private Optional<String> domainArg(final String domain) {
        final Optional<String> d = DomainNames.normalise(domain);
        if (d.isEmpty()) {
            err().println("error: not a domain name: " + domain);
        }
        return d;
    }

    private void printRecords(final String domain, final List<DkimKeyRecord> keys) {
        out().println("; DKIM: publish one TXT record per key");
        for (final DkimKeyRecord k : keys) {
            out().println(SenderDomainKeys.record(domain, k));
        }
        out().println("; SPF (suggested): list the addresses the deliverers send from, e.g. ip4:192.0.2.10");
        out().println(DnsRecords.spfRecord(domain));
        out().println("; DMARC (suggested): start with p=none, move to quarantine/reject once reports look right");
        out().println(DnsRecords.dmarcRecord(domain));
    }

    @Command(name = "add", description = "Register a domain to an account, generate its DKIM keys and print the DNS records to publish.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        DomainsCli parent;
        @Parameters(index = "0", description = "the domain, e.g. shop.example (covers its subdomains)")
        String domain;
        @Option(names = "--account", required = true, description = "api_user that may send as this domain")
        String account;
        @Option(names = "--selector", description = "DKIM selector (default: mp<yyyyMMdd>); with both algorithms S-rsa and S-ed25519")
        String selector;
        @Option(names = "--algorithm", defaultValue = "rsa-sha256",
                description = "rsa-sha256 (default), ed25519-sha256 or both")
        String algorithm;

        @Override
        public Integer call() {
            final Optional<String> d = parent.domainArg(domain);
            if (d.isEmpty()) {
                return Cli.BAD_ARGUMENTS;
            }
            final List<DkimAlgorithm> algorithms;
            try {
                algorithms = SenderDomainKeys.algorithms(algorithm);
            } catch (final IllegalArgumentException e) {
                parent.err().println("error: --algorithm: rsa-sha256, ed25519-sha256 or both, not " + algorithm);
                return Cli.BAD_ARGUMENTS;
            }
            if (selector != null && !selector.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,40}[A-Za-z0-9])?")) {
                parent.err().println("error: --selector: letters, digits and '-' (a DNS label)");
                return Cli.BAD_ARGUMENTS;
            }
            final KeySealer sealer = parent.sealer();
            try (AccountStore accounts = AccountStore.start(parent.bootstrap(), "mailpipe-domains-cli")) {
                if (accounts.get(account).isEmpty()) {
                    parent.err().println("error: no account " + account + " (./mailpipe accounts add " + account + ")");
                    return NOT_FOUND;
                }
            } catch (final IllegalStateException noAccountsTopic) {
                parent.err().println("error: no account " + account + " (" + noAccountsTopic.getMessage() + ")");
                return NOT_FOUND;
            }
            try (CompactedTable<SenderDomain> table = parent.open()) {
                final Optional<SenderDomain> existing = table.get(d.get());
                if (existing.isPresent()) {
                    parent.err().println("error: " + d.get() + " is registered to " + existing.get().getApiUser()
                            + " (use rotate for new keys, or remove it first)");
                    return EXISTS;
                }
                final Instant now = parent.clock.instant();
                final String s = SenderDomainKeys.freshSelector(null, selector, now);
                final SenderDomain record = new SenderDomain(d.get(), account,
                        SenderDomainKeys.newKeys(d.get(), s, algorithms, sealer, now), now, now);
                table.put(d.get(), record);
                parent.out().println("; " + d.get() + " registered to " + account + "; mail from it (and its subdomains)"
                        + " is DKIM-signed once these records are published");
                parent.printRecords(d.get(), record.getKeys());
                return 0;
            }
        }
    }

    @Command(name = "list", description = "List sender domains and their keys (never private keys).")
    static final class ListDomains implements Callable<Integer> {
        @ParentCommand
        DomainsCli parent;
        @Option(names = "--account", description = "only this account's domains")
        String account;

        @Override
        public Integer call() {
            try (CompactedTable<SenderDomain> table = parent.open()) {
                final Instant now = parent.clock.instant();
                parent.out().printf("%-32s %-20s %-24s %-15s %s%n", "DOMAIN", "ACCOUNT", "SELECTOR", "ALGORITHM", "STATE");
                table.all().values().stream().filter(d -> account == null || d.getApiUser().equals(account))
                        .sorted(Comparator.comparing(SenderDomain::getDomain)).forEach(d -> {
                            final List<DkimKeyRecord> keys = SenderDomainKeys.listed(d, now);
                            if (keys.isEmpty()) {
                                parent.out().printf("%-32s %-20s %-24s %-15s %s%n", d.getDomain(), d.getApiUser(), "-", "-",
                                        "no keys (not signed)");
                            }
                            for (final DkimKeyRecord k : keys) {
                                final DkimAlgorithm a = SenderDomainKeys.algorithm(k.getAlgorithm());
                                final String state = k.getRetiredAt() == null ? "active since " + k.getCreatedAt()
                                        : "retired, signs nothing; keep its DNS record until "
                                                + k.getRetiredAt().plus(SenderDomainKeys.GRACE);
                                parent.out().printf("%-32s %-20s %-24s %-15s %s%n", d.getDomain(), d.getApiUser(),
                                        k.getSelector(), a == null ? "unknown" : a.tag(), state);
                            }
                        });
                return 0;
            }
        }
    }

    @Command(name = "records", description = "Print the DNS records a domain should publish.")
    static final class Records implements Callable<Integer> {
        @ParentCommand
        DomainsCli parent;
        @Parameters(index = "0")
        String domain;

        @Override
        public Integer call() {
            final Optional<String> d = parent.domainArg(domain);
            if (d.isEmpty()) {
                return Cli.BAD_ARGUMENTS;
            }
            try (CompactedTable<SenderDomain> table = parent.open()) {
                final Optional<SenderDomain> existing = table.get(d.get());
                if (existing.isEmpty()) {
                    parent.err().println("error: no sender domain " + d.get());
                    return NOT_FOUND;
                }
                parent.printRecords(d.get(), SenderDomainKeys.listed(existing.get(), parent.clock.instant()));
                return 0;
            }
        }
    }

    @Command(name = "verify", description = "Look the domain's DKIM records up in DNS (MAILPIPE_DNS or the system resolver) and say which match.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        DomainsCli parent;
        @Parameters(index = "0")
        String domain;
        @Option(names = "--dns", description = "DNS server(s) host:port[,host:port] (default: $MAILPIPE_DNS, else the system resolver)")
        String dns;

        @Override
        public Integer call() throws Exception {
            final Optional<String> d = parent.domainArg(domain);
            if (d.isEmpty()) {
                return Cli.BAD_ARGUMENTS;
            }
            final SenderDomain registered;
            try (CompactedTable<SenderDomain> table = parent.open()) {
                final Optional<SenderDomain> existing = table.get(d.get());
                if (existing.isEmpty()) {
                    parent.err().println("error: no sender domain " + d.get());
                    return NOT_FOUND;
                }
                registered = existing.get();
            }
            final Resolver resolver = resolver(dns != null ? dns : parent.values.getOrDefault("dns", ""));
            boolean allActiveMatch = true;
            for (final DkimKeyRecord k : SenderDomainKeys.listed(registered, parent.clock.instant())) {
                final String name = DnsRecords.keyName(k.getSelector(), d.get());
                final List<String> found = txt(resolver, name);
                final Optional<String> published = found.stream().filter(t -> t.contains("p=")).findFirst();
                final String status;
                if (published.isEmpty()) {
                    status = "MISSING   no DKIM record at " + name;
                } else {
                    final Map<String, String> tags = DnsRecords.tags(published.get());
                    final DkimAlgorithm a = SenderDomainKeys.algorithm(k.getAlgorithm());
                    final boolean keyOk = k.getPublicKey().equals(tags.get("p"));
                    final boolean typeOk = a != null && a.keyType().equals(tags.getOrDefault("k", "rsa"));
                    status = keyOk && typeOk ? "OK        " + name + " matches"
                            : "MISMATCH  " + name + (keyOk ? " has k=" + tags.get("k") : " publishes another key");
                    if (!(keyOk && typeOk) && k.getRetiredAt() == null) {
                        allActiveMatch = false;
                    }
                }
                if (published.isEmpty() && k.getRetiredAt() == null) {
                    allActiveMatch = false;
                }
                parent.out().println(status + (k.getRetiredAt() == null ? "" : " (retired key)"));
            }
            final boolean spf = txt(resolver, d.get()).stream().anyMatch(t -> t.startsWith("v=spf1"));
            final boolean dmarc = txt(resolver, "_dmarc." + d.get()).stream().anyMatch(t -> t.startsWith("v=DMARC1"));
            parent.out().println((spf ? "OK        " : "MISSING   ") + "SPF record at " + d.get());
            parent.out().println((dmarc ? "OK        " : "MISSING   ") + "DMARC record at _dmarc." + d.get());
            return allActiveMatch ? 0 : NOT_PUBLISHED;
        }

        private static Resolver resolver(final String servers) throws Exception {
            final List<Resolver> resolvers = new ArrayList<>();
            for (final String one : servers.split(",")) {
                final String s = one.strip();
                if (s.isEmpty()) {
                    continue;
                }
                final int colon = s.lastIndexOf(':');
                final SimpleResolver r = colon < 0 ? new SimpleResolver(s)
                        : new SimpleResolver(new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
                r.setTimeout(Duration.ofSeconds(5));
                resolvers.add(r);
            }
            return resolvers.isEmpty() ? new ExtendedResolver() : new ExtendedResolver(resolvers);
        }

        private static List<String> txt(final Resolver resolver, final String name) throws Exception {
            final Lookup lookup = new Lookup(name, Type.TXT);
            lookup.setResolver(resolver);
            lookup.setCache(null);
            final Record[] records = lookup.run();
            final List<String> out = new ArrayList<>();
            if (records != null) {
                for (final Record r : records) {
                    out.add(String.join("", ((TXTRecord) r).getStrings()));
                }
            }
            return out;
        }
    }

    @Command(name = "rotate", description = "New DKIM keys under a new selector; the old keys sign nothing more but stay listed for 7 days.")
    static final class Rotate implements Callable<Integer> {
        @ParentCommand
        DomainsCli parent;
        @Parameters(index = "0")
        String domain;
        @Option(names = "--selector", description = "the new selector (default: mp<yyyyMMdd>, suffixed when taken)")
        String selector;
        @Option(names = "--algorithm", description = "rsa-sha256, ed25519-sha256 or both (default: the algorithms of the current keys)")
        String algorithm;

        @Override
        public Integer call() {
            final Optional<String> d = parent.domainArg(domain);
            if (d.isEmpty()) {
                return Cli.BAD_ARGUMENTS;
            }
            final KeySealer sealer = parent.sealer();
            try (CompactedTable<SenderDomain> table = parent.open()) {
                final Optional<SenderDomain> existing = table.get(d.get());
                if (existing.isEmpty()) {
                    parent.err().println("error: no sender domain " + d.get());
                    return NOT_FOUND;
                }
                final Instant now = parent.clock.instant();
                final List<DkimAlgorithm> algorithms = algorithm != null ? SenderDomainKeys.algorithms(algorithm)
                        : SenderDomainKeys.active(existing.get()).stream().map(k -> SenderDomainKeys.algorithm(k.getAlgorithm()))
                                .filter(a -> a != null).distinct().sorted().toList();
                final List<DkimAlgorithm> use = algorithms.isEmpty() ? List.of(DkimAlgorithm.RSA_SHA256) : algorithms;
                final String s = SenderDomainKeys.freshSelector(existing.get(), selector, now);
                final List<DkimKeyRecord> fresh = SenderDomainKeys.newKeys(d.get(), s, use, sealer, now);
                final SenderDomain rotated = SenderDomainKeys.rotate(existing.get(), fresh, now);
                table.put(d.get(), rotated);
                parent.out().println("; new keys for " + d.get() + ": publish these records; mail is signed with them from now on");
                parent.printRecords(d.get(), fresh);
                for (final DkimKeyRecord old : rotated.getKeys()) {
                    if (old.getRetiredAt() != null) {
                        parent.out().println("; retired: " + DnsRecords.keyName(old.getSelector(), d.get())
                                + " signs nothing more; keep its record until " + old.getRetiredAt().plus(SenderDomainKeys.GRACE));
                    }
                }
                return 0;
            }
        }
    }

    @Command(name = "remove", description = "Unregister a domain: its mail is no longer signed (and refused when MAILPIPE_SENDER_DOMAINS=enforce).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        DomainsCli parent;
        @Parameters(index = "0")
        String domain;

        @Override
        public Integer call() {
            final Optional<String> d = parent.domainArg(domain);
            if (d.isEmpty()) {
                return Cli.BAD_ARGUMENTS;
            }
            try (CompactedTable<SenderDomain> table = parent.open()) {
                if (table.get(d.get()).isEmpty()) {
                    parent.err().println("error: no sender domain " + d.get());
                    return NOT_FOUND;
                }
                table.remove(d.get());
                parent.out().println(d.get() + " removed; delete its _domainkey records once mail signed with them is delivered");
                return 0;
            }
        }
    }
}
