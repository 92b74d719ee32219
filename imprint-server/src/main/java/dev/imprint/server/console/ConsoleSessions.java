package dev.imprint.server.console;

import dev.imprint.store.ConsoleSessionStore;
import dev.imprint.store.ConsoleSessionStore.Grant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The web console's one-time login links and browser sessions, kept in the store: a link minted
 * on one admin node logs in on any other, and sessions survive a restart. A link's token and a
 * session's id are 256 random bits; a token works once (atomically, across nodes) and for
 * {@link #LINK_TTL}; a session lasts {@link #SESSION_TTL} from login and carries its own CSRF
 * token for mutating calls. Expired rows are deleted at each mint and login.
 *
 * <p>Only SHA-256 hashes of tokens and session ids reach the store, and the CSRF token is
 * derived from the session id rather than stored: what a reader of the database sees lets
 * nobody log in or ride a session. Every method reads or writes the store: call off the event loop.
 */
public final class ConsoleSessions {
    public static final Duration LINK_TTL = Duration.ofMinutes(5);
    public static final Duration SESSION_TTL = Duration.ofHours(8);
    /** Bounds the table: an admin can mint links, nobody else can create anything here. */
    private static final int MAX_LINKS = 10_000;
    /** Longer input cannot be one of our tokens (43 characters); not worth hashing. */
    private static final int MAX_TOKEN_LENGTH = 128;

    /** A logged-in browser: who logged in (the admin who asked for the link), its CSRF token, when it ends. */
    public record Session(String id, String actor, String csrf, Instant expiresAt) {}

    /** Why a login link or a session was refused; the name is the reason code. */
    public enum Refusal { LOGIN_LINK_INVALID, LOGIN_LINK_EXPIRED, CONSOLE_SESSION_REQUIRED, CONSOLE_SESSION_INVALID,
        CONSOLE_CSRF_MISSING, CONSOLE_CSRF_INVALID }

    /** The outcome of redeeming a link: a session, or a refusal. */
    public record Login(Session session, Refusal refusal) {}

    private final SecureRandom random = new SecureRandom();
    private final ConsoleSessionStore store;
    private final Clock clock;

    public ConsoleSessions(ConsoleSessionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** @return a fresh single-use token for {@code actor}, valid for {@link #LINK_TTL} */
    public String newLoginToken(String actor) {
        Instant now = clock.instant();
        store.purgeExpired(now);
        if (store.liveLinks(now) >= MAX_LINKS) {
            throw new IllegalStateException("too many outstanding login links");
        }
        String token = randomId();
        store.saveLink(hash("link", token), new Grant(actor, now.plus(LINK_TTL)));
        return token;
    }

    /** Redeems a token (taking it away, so a second use fails on every node) for a new session. Never throws for bad input. */
    public Login redeem(String token) {
        Optional<Grant> link = plausible(token) ? store.takeLink(hash("link", token)) : Optional.empty();
        if (link.isEmpty()) {
            return new Login(null, Refusal.LOGIN_LINK_INVALID);
        }
        Instant now = clock.instant();
        if (!now.isBefore(link.get().expiresAt())) {
            return new Login(null, Refusal.LOGIN_LINK_EXPIRED);
        }
        store.purgeExpired(now);
        String id = randomId();
        Grant grant = new Grant(link.get().actor(), now.plus(SESSION_TTL));
        store.saveSession(hash("session", id), grant);
        return new Login(session(id, grant), null);
    }

    /** @return the live session with this id, empty when unknown or expired (an expired one is deleted) */
    public Optional<Session> find(String id) {
        if (!plausible(id)) {
            return Optional.empty();
        }
        String key = hash("session", id);
        Optional<Grant> grant = store.findSession(key);
        if (grant.isPresent() && !clock.instant().isBefore(grant.get().expiresAt())) {
            store.endSession(key);
            return Optional.empty();
        }
        return grant.map(g -> session(id, g));
    }

    /** Ends a session (no effect when unknown). */
    public void end(String id) {
        if (plausible(id)) {
            store.endSession(hash("session", id));
        }
    }

    /** Constant-time comparison of the CSRF header against the session's token. */
    public static boolean csrfMatches(Session s, String header) {
        return header != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The session's CSRF token, derived from its id so that it needs no storing: unguessable
     * without the id, which the browser keeps in an HttpOnly cookie no other site can read.
     */
    private static Session session(String id, Grant g) {
        return new Session(id, g.actor(), Base64.getUrlEncoder().withoutPadding().encodeToString(sha256("csrf", id)),
                g.expiresAt());
    }

    private static boolean plausible(String secret) {
        return secret != null && !secret.isEmpty() && secret.length() <= MAX_TOKEN_LENGTH;
    }

    /** What the store keys rows by: a hash per purpose, so a link hash never matches a session hash. */
    static String hash(String purpose, String secret) {
        return HexFormat.of().formatHex(sha256(purpose, secret));
    }

    private static byte[] sha256(String purpose, String secret) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((purpose + ":").getBytes(StandardCharsets.US_ASCII));
            return d.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
