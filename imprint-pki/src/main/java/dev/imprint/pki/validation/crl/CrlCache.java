package dev.imprint.pki.validation.crl;

import dev.imprint.pki.validation.CrlSigners;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link RevocationSource}: CRLs handed in ({@link #add}) or fetched from the
 * certificate's HTTP CRL distribution point, cached per issuer, refreshed in the background
 * ahead of nextUpdate, each indexed for O(1) serial lookups ({@link SerialIndex}).
 *
 * <p>Fails closed. The status is {@link RevocationStatus.Unknown} with
 * <ul>
 *   <li>{@link ReasonCode#CRL_UNAVAILABLE} when no CRL covers the certificate's issuer (unless
 *       built with {@link MissingCrl#IGNORE}) or the fetch failed;</li>
 *   <li>{@link ReasonCode#CRL_STALE} when the newest CRL is past nextUpdate plus the grace
 *       period, or has no nextUpdate;</li>
 *   <li>{@link ReasonCode#CRL_INVALID} when the CRL's signature does not verify with the issuer's
 *       key, the issuer's keyUsage lacks cRLSign, the CRL has no (or a critical) cRLNumber, an
 *       unknown critical extension, or is not yet valid.</li>
 * </ul>
 * Delta CRLs (deltaCRLIndicator) are merged over the full CRL they are based on, including
 * removeFromCRL. Indirect CRLs (cRLIssuer), CRLs signed by a separate key of the CA, and
 * onlySomeReasons CRLs (all reasons must be covered) follow RFC 5280 6.3.3 ({@link CrlCheck}).
 * Thread-safe; {@link #close()} stops the background refresh.
 */
public final class CrlCache implements RevocationSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CrlCache.class);
    private static final int REMOVE_FROM_CRL = 8;

    /** What to answer for a certificate whose issuer has no CRL at all. */
    public enum MissingCrl {
        /** Unknown status, CRL_UNAVAILABLE (the default: fail closed). */
        FAIL,
        /** Treat as good: for tools that check revocation only where a CRL was supplied. */
        IGNORE
    }

    private final ConcurrentHashMap<X500Principal, List<ParsedCrl>> byIssuer = new ConcurrentHashMap<>();
    /** Per issuer certificate: the common case, answered without re-running RFC 5280 6.3.3. */
    private final ConcurrentHashMap<X509Certificate, FastRoute> routes = new ConcurrentHashMap<>();
    private final Duration grace;
    private final Duration refreshAhead;
    private final Clock clock;
    private final MissingCrl missing;
    private final boolean fetch;
    private final CrlFetcher fetcher;
    private final ScheduledExecutorService refresher;

    private CrlCache(Builder b) {
        this.grace = b.grace;
        this.refreshAhead = b.refreshAhead;
        this.clock = b.clock;
        this.missing = b.missing;
        this.fetch = b.fetch;
        this.fetcher = b.fetch ? new CrlFetcher(b.fetchTimeout) : null;
        this.refresher = b.fetch ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "imprint-crl-refresh");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds a CRL (DER). It replaces nothing: the newest usable CRL per issuer wins at lookup.
     * @throws IOException when the bytes are not a CRL
     */
    public void add(byte[] der) throws IOException {
        ParsedCrl crl = ParsedCrl.parse(der);
        byIssuer.compute(crl.issuer, (k, list) -> {
            List<ParsedCrl> next = list == null ? new ArrayList<>() : new ArrayList<>(list);
            next.add(crl);
            // newest first; keep a handful so a rolled-back or bad CRL cannot evict the good one
            next.sort(Comparator.comparing((ParsedCrl c) -> c.thisUpdate).reversed());
            return List.copyOf(next.size() > 8 ? next.subList(0, 8) : next);
        });
    }

    public void add(X509CRL crl) throws IOException {
        try {
            add(crl.getEncoded());
        } catch (CRLException e) {
            throw new IOException(e);
        }
    }

    /** Number of revoked serials in the newest full CRL of {@code issuer}, -1 when none: for metrics. */
    public int revokedCount(X500Principal issuer) {
        return byIssuer.getOrDefault(issuer, List.of()).stream().filter(c -> !c.isDelta())
                .findFirst().map(c -> c.revoked.size()).orElse(-1);
    }

    @Override
    public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at) {
        return status(cert, issuer, at, CrlSigners.NONE);
    }

    @Override
    public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at, CrlSigners signers) {
        List<ParsedCrl> crls = byIssuer.get(cert.getIssuerX500Principal());
        if ((crls == null || crls.isEmpty()) && fetch) {
            String url = CrlFetcher.httpDistributionPoint(cert);
            if (url != null) {
                fetchAndSchedule(url);
            }
        }
        if (crls != null && !crls.isEmpty()) {
            FastRoute route = routes.get(issuer);
            if (route == null || route.crls != crls) {
                route = FastRoute.of(crls, issuer);
                if (route != null) {
                    if (routes.size() > 10_000) {
                        routes.clear();
                    }
                    routes.put(issuer, route);
                }
            }
            RevocationStatus fast = route == null ? null : route.status(cert, at, grace);
            if (fast != null) {
                return fast;
            }
        }
        CrlCheck check = new CrlCheck(cert, issuer, at, grace, signers);
        RevocationStatus s = check.run(name -> byIssuer.getOrDefault(name, List.of()));
        if (!check.anyCrl && missing == MissingCrl.IGNORE) {
            return RevocationStatus.good();
        }
        if (!check.anyCrl) {
            return RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "no CRL for issuer " + cert.getIssuerX500Principal().getName());
        }
        return s;
    }

    private void fetchAndSchedule(String url) {
        try {
            byte[] der = fetcher.fetch(url);
            ParsedCrl parsed = ParsedCrl.parse(der);
            add(der);
            scheduleRefresh(url, parsed.nextUpdate);
        } catch (IOException | RuntimeException e) {
            LOG.warn("CRL fetch from {} failed: {}", url, e.toString());
            scheduleRetry(url);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleRefresh(String url, Instant nextUpdate) {
        if (refresher == null || refresher.isShutdown()) {
            return;
        }
        Instant now = clock.instant();
        Instant when = nextUpdate == null ? now.plus(Duration.ofMinutes(5)) : nextUpdate.minus(refreshAhead);
        long delay = Math.max(Duration.ofSeconds(30).toMillis(), Duration.between(now, when).toMillis());
        refresher.schedule(() -> fetchAndSchedule(url), delay, TimeUnit.MILLISECONDS);
    }

    private void scheduleRetry(String url) {
        if (refresher != null && !refresher.isShutdown()) {
            refresher.schedule(() -> fetchAndSchedule(url), 60, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    /** Builder: defaults are fail closed, no grace, fetching on, refresh 10 minutes ahead of nextUpdate. */
    public static final class Builder {
        private Duration grace = Duration.ZERO;
        private Duration refreshAhead = Duration.ofMinutes(10);
        private Duration fetchTimeout = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();
        private MissingCrl missing = MissingCrl.FAIL;
        private boolean fetch = true;

        private Builder() {}

        /** How long past nextUpdate a CRL is still used (default 0); beyond it, CRL_STALE. */
        public Builder grace(Duration grace) { this.grace = Objects.requireNonNull(grace); return this; }

        public Builder refreshAhead(Duration d) { this.refreshAhead = Objects.requireNonNull(d); return this; }

        public Builder fetchTimeout(Duration d) { this.fetchTimeout = Objects.requireNonNull(d); return this; }

        public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }

        public Builder missingCrl(MissingCrl policy) { this.missing = Objects.requireNonNull(policy); return this; }

        /** Whether to fetch from HTTP CRL distribution points (default true). */
        public Builder fetch(boolean fetch) { this.fetch = fetch; return this; }

        public CrlCache build() {
            return new CrlCache(this);
        }
    }
}
