package dev.imprint.store;

import java.time.Instant;
import java.util.Optional;

/**
 * The web console's one-time login links and browser sessions (tables {@code console_links},
 * {@code console_sessions}), so a link minted on one admin node logs in on another and a session
 * survives a restart.
 *
 * <p>Keys are hashes chosen by the caller (SHA-256 of the secret token or session id), never
 * the secrets themselves: whoever reads the database cannot log in or take over a session.
 */
public interface ConsoleSessionStore {

    /** A link or a session as stored: whose it is and until when it is valid. */
    record Grant(String actor, Instant expiresAt) {}

    /** Records a login link. */
    void saveLink(String tokenHash, Grant grant);

    /**
     * Takes a login link away and returns it, atomically: of several concurrent calls for the
     * same link, on any nodes, exactly one gets it. Expired links are returned too (the caller
     * tells expired from unknown).
     */
    Optional<Grant> takeLink(String tokenHash);

    /** Links not yet expired at {@code now}. */
    int liveLinks(Instant now);

    /** Records a session. */
    void saveSession(String idHash, Grant grant);

    /** The session with this id hash, whether or not expired. */
    Optional<Grant> findSession(String idHash);

    /** Ends a session (no effect when unknown). */
    void endSession(String idHash);

    /** Deletes links and sessions expired at {@code now}; returns how many rows went. */
    int purgeExpired(Instant now);
}
