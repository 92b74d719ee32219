package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.ca.hierarchy.FileKeyVault;
import dev.imprint.ca.hierarchy.PkiFolderHierarchy;
import dev.imprint.cluster.Leadership;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.Pem;
import dev.imprint.store.AuditLog;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CrlStateStore;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two CA nodes ({@link Authority} instances, each with its own store connection and its own copy
 * of the CA folder) on one database: both issue, one publishes each CA's CRLs, both serve the
 * same bytes. Leadership is a baton the test hands over (the PostgreSQL advisory lock is tested
 * where it is built); publications are observed at the store.
 */
abstract class SeveralCaNodesContract {
    /** A new leader publishes within its next tick. */
    private static final Duration TICK = Duration.ofSeconds(5);

    @TempDir
    Path tmp;
    /** Which node leads every CA's publication now. */
    final AtomicReference<String> baton = new AtomicReference<>("a");
    /** When set, the next CRL number taken hands the baton to this node (the lead moves while a CRL is built). */
    final AtomicReference<String> handOverOnNextNumber = new AtomicReference<>();
    /** Run once, right after the CRL number is taken that many numbers from now (1 = the next). */
    final AtomicReference<Runnable> onNumber = new AtomicReference<>();
    final java.util.concurrent.atomic.AtomicInteger onNumberIn = new java.util.concurrent.atomic.AtomicInteger();
    /** The publications from index {@code from} on, as a snapshot (publishers may still be appending). */
    List<Publication> since(int from) {
        List<Publication> now = List.copyOf(published);
        return now.subList(Math.min(from, now.size()), now.size());
    }

    /** How many CA nodes the node table would list as live: each station's rate is shared by them. */
    final java.util.concurrent.atomic.AtomicInteger liveCaNodes = new java.util.concurrent.atomic.AtomicInteger(2);
    /**
     * Device IDs whose fast-path check ({@code hasLive}, before signing) waits at a barrier once it
     * has answered: both nodes pass it before either records, so only the recording decides.
     */
    final Map<String, java.util.concurrent.CyclicBarrier> holdAfterCheck = new java.util.concurrent.ConcurrentHashMap<>();

    /** Every CRL that became current, in commit order, with the node that published it. */
    final List<Publication> published = new java.util.concurrent.CopyOnWriteArrayList<>(); // publisher threads append while tests read
    Node a;
    Node b;

    record Publication(String node, CrlStateStore.Published crl) {}

    /** One CA node. */
    final class Node implements AutoCloseable {
        final String name;
        final Path pki;
        final Store store;
        final Authority ca;

        Node(String name, Path pki) {
            this.name = name;
            this.pki = pki;
            this.store = observed(open(), name);
            Leadership leadership = key -> name.equals(baton.get());
            this.ca = Authority.open(CaSettings.defaults(pki, CaFixture.PASS, "http://127.0.0.1:8080").withLeadership(leadership)
                    .withLiveCaNodes(liveCaNodes::get), store);
        }

        @Override
        public void close() {
            ca.close();
            store.close();
        }
    }

    /** A fresh, empty database for this test. */
    protected abstract void createDatabase() throws Exception;

    /** A new store connection to this test's database (each node opens its own). */
    protected abstract JdbcStore open();

    /**
     * The CA folder, made once for the class: making one costs four key encryptions (PBKDF2, 210,000
     * iterations each), a good part of each test's time; every test deploys a copy to both nodes.
     */
    @TempDir
    static Path made;

    @BeforeAll
    static void makeCaFolder() {
        CryptoProviders.install();
        PkiFolderHierarchy.openOrCreate(made.resolve("pki"), new FileKeyVault(made.resolve("pki"), CaFixture.PASS));
    }

    @BeforeEach
    void startNodes() throws Exception {
        createDatabase();
        copy(made.resolve("pki"), tmp.resolve("a/pki"));
        a = new Node("a", tmp.resolve("a/pki"));
        copy(tmp.resolve("a/pki"), tmp.resolve("b/pki")); // the same CA deployed to a second machine
        b = new Node("b", tmp.resolve("b/pki"));
        a.ca.stations().create("line-1", "dev-[0-9]+", 0, 0, "admin:test");
    }

    @AfterEach
    void stopNodes() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void both_nodes_issue_2000_certificates_at_once_with_distinct_serials_and_one_intact_audit_chain() throws Exception {
        int perNode = 1000;
        List<CompletableFuture<IssuedCertificate>> issued = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (Node n : List.of(a, b)) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < perNode; i++) {
                    issued.add(n.ca.issueAsync(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-" + (n == a ? 100_000 : 200_000) + i))));
                }
            }, "issuer-" + n.name);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(120_000);
            assertThat(t.isAlive()).isFalse();
        }
        Set<String> serials = new HashSet<>();
        for (CompletableFuture<IssuedCertificate> f : issued) {
            serials.add(f.get().serialHex());
        }
        assertThat(serials).hasSize(2 * perNode);
        assertThat(a.ca.verifyAudit()).isEmpty();
        assertThat(b.ca.verifyAudit()).isEmpty();
        // every issued certificate is in exactly one issuance audit entry
        List<String> audited = new ArrayList<>();
        List<dev.imprint.store.AuditEvent> events = a.store.audit().list(0, 100_000);
        for (var e : events) {
            if (e.type().equals("cert.issued") && e.actor().equals("ca")) {
                var m = java.util.regex.Pattern.compile("\"serial\":\"([0-9a-f]+)\",\"ca\":\"manufacturing\"").matcher(e.detailsJson());
                while (m.find()) {
                    audited.add(m.group(1));
                }
            }
        }
        assertThat(audited).doesNotHaveDuplicates().containsAll(serials);
    }

    /** One test for both (each test here starts two CA nodes on a fresh database: seconds). */
    @Test
    void two_nodes_issuing_a_first_certificate_for_one_device_at_once_record_one_and_refuse_the_other_and_share_a_stations_rate()
            throws Exception {
        a.ca.stations().create("line-q", "dev-[0-9]+", 100, 0, "admin:test");
        // the same device on both nodes, both past their own check before either records
        holdAfterCheck.put("dev-7", new java.util.concurrent.CyclicBarrier(2));
        List<CompletableFuture<IssuedCertificate>> same = race(IssuanceRequest.byStation("line-q", CaFixture.csr("dev-7")),
                IssuanceRequest.byStation("line-q", CaFixture.csr("dev-7")));
        // two devices, the same way: both issued
        java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
        holdAfterCheck.put("dev-8", both);
        holdAfterCheck.put("dev-9", both);
        List<CompletableFuture<IssuedCertificate>> different = race(IssuanceRequest.byStation("line-q", CaFixture.csr("dev-8")),
                IssuanceRequest.byStation("line-q", CaFixture.csr("dev-9")));

        List<IssuedCertificate> issued = new ArrayList<>();
        List<CaException> refused = new ArrayList<>();
        for (CompletableFuture<IssuedCertificate> f : same) {
            try {
                issued.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                refused.add((CaException) e.getCause());
            }
        }
        assertThat(issued).as("exactly one node issues").hasSize(1);
        assertThat(refused).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo(CaException.Reason.DEVICE_HAS_LIVE_CERTIFICATE));
        String winner = issued.get(0).serialHex();
        assertThat(a.store.certificates().findByDevice("dev-7")).extracting(CertificateRecord::serialHex).containsExactly(winner);
        assertThat(auditedSerials("dev-7")).as("the refused certificate is in no audit entry").containsExactly(winner);
        for (CompletableFuture<IssuedCertificate> f : different) {
            assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS).serialHex()).isNotNull();
        }
        assertThat(a.store.certificates().findLive("dev-8", "device", Instant.now())).hasSize(1);
        assertThat(a.store.certificates().findLive("dev-9", "device", Instant.now())).hasSize(1);
        // rotation replaces a live certificate on purpose: not held to the rule, on either node
        a.ca.issue(IssuanceRequest.reenroll(issued.get(0).certificate(), CaFixture.csr("dev-7")));
        b.ca.issue(IssuanceRequest.reenroll(issued.get(0).certificate(), CaFixture.csr("dev-7")));
        assertThat(a.store.certificates().findLive("dev-7", "device", Instant.now())).hasSize(3);
        assertThat(a.ca.verifyAudit()).isEmpty();

        // a station's rate is for the whole CA: 1 a second over 10 live CA nodes is 0.1 per node, a burst of 1
        liveCaNodes.set(10); // read at the first rate check (line-q has no rate)
        a.ca.stations().create("paced", "dev-[0-9]+", 0, 1, "admin:test");
        a.ca.issue(IssuanceRequest.byStation("paced", CaFixture.csr("dev-1")));
        assertThatRefused(a, IssuanceRequest.byStation("paced", CaFixture.csr("dev-2")), CaException.Reason.RATE_EXCEEDED);
        b.ca.issue(IssuanceRequest.byStation("paced", CaFixture.csr("dev-3")));
        assertThatRefused(b, IssuanceRequest.byStation("paced", CaFixture.csr("dev-4")), CaException.Reason.RATE_EXCEEDED);

        // the refused certificate's quota was given back: 3 first certificates counted, not 4
        a.close();
        b.close();
        a = null;
        b = null;
        try (JdbcStore s = open()) {
            assertThat(s.stations().find("line-q").orElseThrow().issued()).isEqualTo(3);
        }
    }

    private static void assertThatRefused(Node n, IssuanceRequest request, CaException.Reason reason) {
        CaException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> n.ca.issue(request), CaException.class);
        assertThat(e).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    }

    /** Issues {@code onA} on node a and {@code onB} on node b from two threads at once; their futures, a's first. */
    private List<CompletableFuture<IssuedCertificate>> race(IssuanceRequest onA, IssuanceRequest onB) throws InterruptedException {
        AtomicReference<CompletableFuture<IssuedCertificate>> fromA = new AtomicReference<>();
        AtomicReference<CompletableFuture<IssuedCertificate>> fromB = new AtomicReference<>();
        Thread ta = new Thread(() -> fromA.set(a.ca.issueAsync(onA)), "race-a");
        Thread tb = new Thread(() -> fromB.set(b.ca.issueAsync(onB)), "race-b");
        ta.start();
        tb.start();
        for (Thread t : List.of(ta, tb)) {
            t.join(60_000);
            assertThat(t.isAlive()).isFalse();
        }
        holdAfterCheck.clear();
        return List.of(fromA.get(), fromB.get());
    }

    /** Serials of the device's certificates named in issuance audit entries. */
    private List<String> auditedSerials(String deviceId) {
        List<String> out = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\\{\"serial\":\"([0-9a-f]+)\",\"ca\":\"[a-z]+\",\"id\":\"" + deviceId + "\"");
        for (var e : a.store.audit().list(0, 100_000)) {
            if (e.type().equals("cert.issued")) {
                var found = m.matcher(e.detailsJson());
                while (found.find()) {
                    out.add(found.group(1));
                }
            }
        }
        return out;
    }

    @Test
    void only_the_leader_publishes_a_revocation_on_the_other_node_reaches_its_delta_and_a_new_leader_takes_over_in_a_tick()
            throws Exception {
        assertThat(published).isNotEmpty().allMatch(p -> p.node().equals("a"));
        IssuedCertificate x = b.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));

        // revoked on the node that does not lead: it publishes nothing, even when told
        int before = published.size();
        b.ca.revocation().revoke(x.serialHex(), 1, "admin:test");
        b.ca.revocation().revocationsChanged().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(publishedBy("b")).isEmpty();
        // the doorbell on the leader: a delta with it at once, served alike by both nodes
        a.ca.revocation().revocationsChanged().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(published.size()).isGreaterThan(before);
        assertThat(listsRevoked(b, x)).isTrue();
        assertSameCrlsOnBothNodes();
        // OCSP answers from the store on either node
        assertThat(ocspStatus(b, x)).isInstanceOf(RevokedStatus.class);
        assertThat(ocspStatus(a, x)).isInstanceOf(RevokedStatus.class);

        // the leader goes away: the other node publishes within one tick, with higher numbers
        long lastBeforeFlip = lastNumber("manufacturing");
        baton.set("b");
        await().atMost(TICK).until(() -> publishedBy("b").stream().map(p -> p.crl().ca()).collect(Collectors.toSet())
                .containsAll(a.ca.hierarchy().names()));
        int flipped = published.size();
        assertThat(lastNumber("manufacturing")).isGreaterThan(lastBeforeFlip);

        // now a revocation on the old leader reaches the new leader's delta through the doorbell
        IssuedCertificate y = a.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-2")));
        a.ca.revocation().revoke(y.serialHex(), 4, "admin:test");
        b.ca.revocation().revocationsChanged().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(listsRevoked(a, y)).isTrue();
        assertThat(since(flipped)).allMatch(p -> p.node().equals("b"));
        assertSameCrlsOnBothNodes();

        // CRL numbers strictly increase over every CRL published by either node, per CA
        Map<String, List<Long>> numbers = numbersByCa();
        assertThat(numbers.keySet()).containsAll(a.ca.hierarchy().names());
        numbers.forEach((ca, list) -> assertThat(list).as(ca).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates());
        // each revocation is followed by a full CRL, then a delta to it: once there, the delta
        // extends the full CRL served, and both are signed by the CA on either node
        await().atMost(TICK).untilAsserted(() -> {
            X509CRL full = Pem.readCrl(a.ca.revocation().crl("manufacturing"));
            X509CRL last = Pem.readCrl(b.ca.revocation().deltaCrl("manufacturing"));
            assertThat(full.getRevokedCertificate(x.certificate().getSerialNumber())).isNotNull();
            assertThat(full.getRevokedCertificate(y.certificate().getSerialNumber())).isNotNull();
            assertThat(number(last)).isGreaterThan(number(full));
            assertThat(baseOf(last)).isEqualTo(number(full));
            full.verify(b.ca.hierarchy().issuer("manufacturing").getPublicKey());
            last.verify(a.ca.hierarchy().issuer("manufacturing").getPublicKey());
        });
    }

    @Test
    void a_leader_that_loses_the_lead_while_building_a_crl_does_not_publish_it() throws Exception {
        IssuedCertificate x = a.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        int before = published.size();
        handOverOnNextNumber.set("b");
        a.ca.revocation().revoke(x.serialHex(), 1, "admin:test"); // A builds a delta; the lead moves to B meanwhile
        // B takes over at its next tick and publishes it; A's CRL was built but never became current
        await().atMost(TICK).until(() -> listsRevoked(a, x));
        assertThat(baton.get()).isEqualTo("b");
        assertThat(since(before)).isNotEmpty().allMatch(p -> p.node().equals("b"));
        numbersByCa().forEach((ca, list) -> assertThat(list).as(ca).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates());
    }

    @Test
    void a_revocation_committed_while_a_full_crl_is_built_reaches_the_next_full_crl() throws Exception {
        IssuedCertificate x = a.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        IssuedCertificate y = a.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-2")));
        // revoking x publishes a delta (number 1) and then builds a full CRL in the background
        // (number 2): y is revoked, as by another node without a doorbell, after that full CRL
        // read its entries. The delta that follows lists y; a full CRL must follow it.
        onNumberIn.set(2);
        onNumber.set(() -> b.store.certificates().revoke(y.serialHex(), 1, Instant.now()));
        a.ca.revocation().revoke(x.serialHex(), 1, "admin:test");
        await().atMost(TICK.multipliedBy(3)).until(() -> fullLists(b, x) && fullLists(b, y));
    }

    private static boolean fullLists(Node n, IssuedCertificate c) throws Exception {
        return Pem.readCrl(n.ca.revocation().crl(c.ca())).getRevokedCertificate(c.certificate().getSerialNumber()) != null;
    }

    @Test
    void without_the_doorbell_the_leaders_tick_picks_up_revocations_made_elsewhere() throws Exception {
        IssuedCertificate x = b.ca.issue(IssuanceRequest.byStation("line-1", CaFixture.csr("dev-1")));
        b.ca.revocation().revoke(x.serialHex(), 1, "admin:test");
        await().atMost(TICK).until(() -> listsRevoked(b, x));
        assertThat(publishedBy("b")).isEmpty();
    }

    @Test
    void a_full_crl_over_1_mib_lives_in_the_database_and_the_other_node_serves_it_byte_identical() throws Exception {
        int n = 21_000; // 53 bytes per entry: 1.1 MB
        List<String> serials = revokedInBulk(n);
        a.ca.revocation().revocationsChanged().get(30, java.util.concurrent.TimeUnit.SECONDS); // delta at once, full CRL in the background
        // a few seconds here when quiet; 120 s ran out once with the machine loaded by other builds
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).until(() -> {
            X509CRL full = Pem.readCrl(b.ca.revocation().crl("manufacturing"));
            return full.getRevokedCertificates() != null && full.getRevokedCertificates().size() >= n;
        });
        byte[] fromA = a.ca.revocation().crl("manufacturing");
        a.close();
        a = null;
        byte[] fromB = b.ca.revocation().crl("manufacturing");
        assertThat(fromB).hasSizeGreaterThan(1 << 20).isEqualTo(fromA);
        X509CRL full = Pem.readCrl(fromB);
        full.verify(b.ca.hierarchy().issuer("manufacturing").getPublicKey());
        Set<BigInteger> listed = new HashSet<>();
        for (X509CRLEntry e : full.getRevokedCertificates()) {
            listed.add(e.getSerialNumber());
        }
        // a set difference, not containsAll: AssertJ compares every pair, 21,000 squared (2.3 s of CPU)
        Set<BigInteger> notListed = serials.stream().map(s -> new BigInteger(s, 16)).collect(Collectors.toCollection(HashSet::new));
        notListed.removeAll(listed);
        assertThat(notListed).as("revoked serials missing from the full CRL").isEmpty();
        // nothing was needed beside the CA folders: no CRL file on either node
        assertThat(tmp.resolve("a/pki/crl")).doesNotExist();
        assertThat(tmp.resolve("b/pki/crl")).doesNotExist();
        // a node started later serves the same bytes from the database alone
        copy(tmp.resolve("b/pki"), tmp.resolve("c/pki"));
        try (Node c = new Node("c", tmp.resolve("c/pki"))) {
            assertThat(c.ca.revocation().crl("manufacturing")).isEqualTo(fromB);
        }
    }

    /** Many revoked certificates of the manufacturing CA, written fast through the store API. */
    private List<String> revokedInBulk(int n) {
        SecureRandom random = new SecureRandom();
        List<String> serials = new ArrayList<>(n);
        Instant now = Instant.now();
        for (int done = 0; done < n; ) {
            List<CertificateRecord> batch = new ArrayList<>();
            for (int i = 0; i < 10_000 && done < n; i++, done++) {
                byte[] s = new byte[20];
                random.nextBytes(s);
                s[0] = (byte) (1 + (s[0] & 0x3f)); // positive, 20 bytes, as Imprint's serials
                String hex = HexFormat.of().formatHex(s);
                serials.add(hex);
                batch.add(new CertificateRecord(hex, "manufacturing", "bulk-" + done, "device", now.minusSeconds(60),
                        now.plus(Duration.ofDays(1)), "00", "test", now, new byte[] {0}, null, null));
            }
            a.store.certificates().insertAll(batch);
            a.store.certificates().revokeAll(batch.stream().map(CertificateRecord::serialHex).toList(), 1, now,
                    new AuditLog.Entry("cert.revoked", "admin:test", batch.size() + " certificates", "{}"));
        }
        return serials;
    }

    /** Once the leader's background work settles (a full CRL follows each revocation), both nodes serve the same bytes. */
    /**
     * Whether the CRLs a node serves list the certificate: in the delta, or else in the full CRL
     * (the delta is read first: when it lacks a revocation, its base had it, and the full CRL
     * served later is that base or newer, as revocations are permanent).
     */
    private static boolean listsRevoked(Node n, IssuedCertificate c) throws Exception {
        BigInteger serial = c.certificate().getSerialNumber();
        return Pem.readCrl(n.ca.revocation().deltaCrl(c.ca())).getRevokedCertificate(serial) != null
                || Pem.readCrl(n.ca.revocation().crl(c.ca())).getRevokedCertificate(serial) != null;
    }

    private void assertSameCrlsOnBothNodes() {
        await().atMost(TICK).untilAsserted(() -> {
            for (String ca : a.ca.hierarchy().names()) {
                assertThat(b.ca.revocation().crl(ca)).as(ca).isEqualTo(a.ca.revocation().crl(ca));
                assertThat(b.ca.revocation().deltaCrl(ca)).as(ca).isEqualTo(a.ca.revocation().deltaCrl(ca));
            }
        });
    }

    private List<Publication> publishedBy(String node) {
        synchronized (published) {
            return published.stream().filter(p -> p.node().equals(node)).toList();
        }
    }

    private long lastNumber(String ca) {
        List<Long> n = numbersByCa().get(ca);
        return n.get(n.size() - 1);
    }

    private Map<String, List<Long>> numbersByCa() {
        synchronized (published) {
            return published.stream().collect(Collectors.groupingBy(p -> p.crl().ca(),
                    Collectors.mapping(p -> p.crl().crlNumber(), Collectors.toList())));
        }
    }

    private static Object ocspStatus(Node n, IssuedCertificate c) throws Exception {
        var digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(digests.get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(n.ca.hierarchy().issuer(c.ca())), c.certificate().getSerialNumber());
        OCSPResp resp = new OCSPResp(n.ca.revocation().ocsp(new OCSPReqBuilder().addRequest(id).build().getEncoded()));
        assertThat(resp.getStatus()).isZero();
        return ((BasicOCSPResp) resp.getResponseObject()).getResponses()[0].getCertStatus();
    }

    private static long baseOf(X509CRL delta) {
        return org.bouncycastle.asn1.ASN1Integer.getInstance(ASN1OctetString.getInstance(
                delta.getExtensionValue(Extension.deltaCRLIndicator.getId())).getOctets()).longValueExact();
    }

    private static long number(X509CRL crl) {
        return CRLNumber.getInstance(ASN1OctetString.getInstance(crl.getExtensionValue(Extension.cRLNumber.getId())).getOctets())
                .getCRLNumber().longValueExact();
    }

    /**
     * The node's store, with every publication that became current recorded in {@link #published}
     * (in commit order: the publication and its recording happen under one lock).
     */
    private Store observed(Store real, String node) {
        CrlStateStore crls = real.crls();
        CrlStateStore recording = new CrlStateStore() {
            @Override
            public long nextCrlNumber(String ca) {
                long n = crls.nextCrlNumber(ca);
                String next = handOverOnNextNumber.getAndSet(null);
                if (next != null) {
                    baton.set(next);
                }
                if (onNumber.get() != null && onNumberIn.decrementAndGet() == 0) {
                    onNumber.getAndSet(null).run();
                }
                return n;
            }

            @Override
            public Heads heads(String ca) {
                return crls.heads(ca);
            }

            @Override
            public Optional<Stored> current(String ca, Kind kind) {
                return crls.current(ca, kind);
            }

            @Override
            public boolean publish(Published crl, byte[] der) {
                synchronized (published) {
                    boolean current = crls.publish(crl, der);
                    if (current) {
                        published.add(new Publication(node, crl));
                    }
                    return current;
                }
            }
        };
        dev.imprint.store.CertificateStore certificates = real.certificates();
        dev.imprint.store.CertificateStore holding = (dev.imprint.store.CertificateStore) Proxy.newProxyInstance(
                Store.class.getClassLoader(), new Class<?>[] {dev.imprint.store.CertificateStore.class}, (proxy, m, args) -> {
                    Object answer;
                    try {
                        answer = m.invoke(certificates, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    java.util.concurrent.CyclicBarrier barrier = m.getName().equals("hasLive") ? holdAfterCheck.get((String) args[0]) : null;
                    if (barrier != null) {
                        barrier.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    return answer;
                });
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (proxy, m, args) -> {
            if (m.getName().equals("crls")) {
                return recording;
            }
            if (m.getName().equals("certificates")) {
                return holding;
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
