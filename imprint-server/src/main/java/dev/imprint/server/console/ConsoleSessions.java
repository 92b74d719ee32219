package dev.imprint.server.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's one-time login links and browser sessions, in memory (a restart logs every
 * browser out). A link's token and a session's id are 256 random bits; a token works once and
 * for {@link #LINK_TTL}; a session lasts {@link #SESSION_TTL} from login and carries its own CSRF
 * token for mutating calls.
 */
public final class ConsoleSessions {
    public static final Duration LINK_TTL = Duration.ofMinutes(5);
    public static final Duration SESSION_TTL = Duration.ofHours(8);
    /** Bounds memory: an admin can mint links, nobody else can create anything here. */
    private static final int MAX_ENTRIES = 10_000;

    /** A logged-in browser: who logged in (the admin who asked for the link), its CSRF token, when it ends. */
    public record Session(String id, String actor, String csrf, Instant expiresAt) {}

    private record Link(String actor, Instant expiresAt) {}

    /** Why a login link or a session was refused; the name is the reason code. */
    public enum Refusal { LOGIN_LINK_INVALID, LOGIN_LINK_EXPIRED, CONSOLE_SESSION_REQUIRED, CONSOLE_SESSION_INVALID,
        CONSOLE_CSRF_MISSING, CONSOLE_CSRF_INVALID }

    /** The outcome of redeeming a link: a session, or a refusal. */
    public record Login(Session session, Refusal refusal) {}

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /** @return a fresh single-use token for {@code actor}, valid for {@link #LINK_TTL} */
    public String newLoginToken(String actor) {
        purge();
        if (links.size() >= MAX_ENTRIES) {
            throw new IllegalStateException("too many outstanding login links");
        }
        String token = randomId();
        links.put(token, new Link(actor, clock.instant().plus(LINK_TTL)));
        return token;
    }

    /** Redeems a token (removing it, so a second use fails) for a new session. Never throws for bad input. */
    public Login redeem(String token) {
        Link link = token == null ? null : links.remove(token);
        if (link == null) {
            return new Login(null, Refusal.LOGIN_LINK_INVALID);
        }
        if (!clock.instant().isBefore(link.expiresAt())) {
            return new Login(null, Refusal.LOGIN_LINK_EXPIRED);
        }
        purge();
        Session s = new Session(randomId(), link.actor(), randomId(), clock.instant().plus(SESSION_TTL));
        sessions.put(s.id(), s);
        return new Login(s, null);
    }

    /** @return the live session with this id, empty when unknown or expired (an expired one is dropped) */
    public Optional<Session> find(String id) {
        Session s = id == null ? null : sessions.get(id);
        if (s != null && !clock.instant().isBefore(s.expiresAt())) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    /** Ends a session (no effect when unknown). */
    public void end(String id) {
        sessions.remove(id);
    }

    /** Constant-time comparison of the CSRF header against the session's token. */
    public static boolean csrfMatches(Session s, String header) {
        return header != null && MessageDigest.isEqual(s.csrf().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private void purge() {
        Instant now = clock.instant();
        links.values().removeIf(l -> !now.isBefore(l.expiresAt()));
        sessions.values().removeIf(s -> !now.isBefore(s.expiresAt()));
    }

    private String randomId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
