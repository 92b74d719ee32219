package dev.imprint.server.console;

import dev.imprint.pki.LogSafe;
import dev.imprint.ca.Authority;
import dev.imprint.dps.ProvisioningService;
import dev.imprint.server.access.Access;
import dev.imprint.server.access.OperatorAccounts;
import dev.imprint.server.access.Principal;
import dev.imprint.server.http.AdminRoutes;
import dev.imprint.server.http.OperatorRoutes;
import dev.imprint.server.http.DpsAdminRoutes;
import dev.imprint.server.http.LedgerRoutes;
import dev.imprint.server.http.Responses;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console on the HTTPS endpoint: the page at {@code /} with its script and style under
 * {@code /console/static/}, the one-time login ({@code POST /api/v1/console/login-links} with the
 * admin credential mints a link; {@code GET /console/login?token=} redeems it for a session
 * cookie) and the JSON API under {@code /console/api/} (the admin API's own handlers behind the
 * session cookie; non-GET calls also need the session's CSRF token in {@value #CSRF_HEADER}).
 * Every call is decided by the same role table as the admin API ({@link Access}) for the operator
 * who minted the link. Refusals are 401/403 JSON {@code {"code","message"}}, logged and counted in
 * {@code imprint.console.refusals{code}} (sessions) or {@code imprint.access.refusals{code,surface="console"}}
 * (roles); logins are audited as {@code console.login}.
 */
public final class ConsoleRoutes {
    public static final String API = "/console/api";
    public static final String LOGIN = "/console/login";
    public static final String COOKIE = "__Host-imprint-console";
    public static final String CSRF_HEADER = "X-Imprint-CSRF";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** What the console reads and changes; {@code dps} is null when the DPS role is off. */
    public record Services(Authority authority, Store store, ProvisioningService dps, MeterRegistry meters) {}

    private ConsoleRoutes() {}

    /**
     * Mounts the console. Call after {@link AdminRoutes#mount} (the login-link route relies on its
     * authentication of {@code /api/v1/*}).
     *
     * @param httpsBase e.g. {@code https://127.0.0.1:8443}, the base of the login links
     * @param pageHtml the page served at {@code /}
     */
    public static ConsoleSessions mount(Router r, Vertx vertx, Services s, String httpsBase, String pageHtml) {
        ConsoleSessions sessions = new ConsoleSessions(s.store().consoleSessions(), Clock.systemUTC());
        Access access = new Access(s.store().operators(), s.meters());
        r.get("/").handler(ctx -> html(ctx, 200, pageHtml));
        staticFile(r, "console.js", "text/javascript; charset=utf-8");
        staticFile(r, "console.css", "text/css; charset=utf-8");
        staticFile(r, "admin.js", "text/javascript; charset=utf-8");

        r.post(AdminRoutes.BASE + "/console/login-links").handler(ctx -> {
            String actor = AdminRoutes.actor(ctx);
            vertx.executeBlocking(() -> sessions.newLoginToken(actor), false).onComplete(ar -> {
                if (ar.failed()) {
                    ctx.fail(ar.cause());
                    return;
                }
                LOG.info("event=console.link actor={}", actor);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("url", httpsBase + LOGIN + "?token=" + ar.result());
                out.put("validSeconds", ConsoleSessions.LINK_TTL.toSeconds());
                Responses.json(ctx, 201, out);
            });
        });
        r.get(LOGIN).handler(ctx -> login(vertx, ctx, s, sessions));

        r.route(API + "/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
        r.route(API + "/*").handler(ctx -> authenticate(vertx, ctx, s.meters(), sessions));
        // the same role table as the admin API, for the operator who minted the login link
        r.route(API + "/*").handler(ctx -> access.authorize(vertx, ctx, AdminRoutes.actor(ctx), API, "console"));
        r.get(API + "/session").handler(ctx -> {
            ConsoleSessions.Session session = ctx.get(SESSION);
            Principal p = Access.principal(ctx);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("actor", session.actor());
            out.put("operator", p.name());
            out.put("role", p.role().wire());
            out.put("permissions", p.role().permissions().stream().map(Enum::name).sorted().toList());
            out.put("csrf", session.csrf());
            out.put("expiresAt", session.expiresAt().toString());
            Responses.json(ctx, 200, out);
        });
        r.post(API + "/logout").handler(ctx -> logout(vertx, ctx, sessions, s.store()));
        r.get(API + "/overview").handler(ctx -> blocking(vertx, ctx, () -> ConsoleQueries.overview(s.authority(), s.store())));
        AdminRoutes.routes(r, API, vertx, s.authority());
        OperatorRoutes.mount(r, API, vertx, new OperatorAccounts(s.authority(), s.store()), s.store().audit());
        LedgerRoutes.mountAdmin(r, API, vertx, s.authority().ledger());
        if (s.dps() != null) {
            DpsAdminRoutes.mount(r, API, vertx, s.dps(), s.authority());
        }
        return sessions;
    }

    private static final String SESSION = "imprint.console.session";

    private static void authenticate(Vertx vertx, RoutingContext ctx, MeterRegistry meters, ConsoleSessions sessions) {
        Cookie c = ctx.request().getCookie(COOKIE);
        if (c == null) {
            refuse(ctx, meters, 401, ConsoleSessions.Refusal.CONSOLE_SESSION_REQUIRED, NO_SESSION);
            return;
        }
        // sessions live in the store: look them up off the event loop
        vertx.executeBlocking(() -> sessions.find(c.getValue()), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                refuse(ctx, meters, 401, ConsoleSessions.Refusal.CONSOLE_SESSION_INVALID, NO_SESSION);
            } else {
                authorize(ctx, meters, ar.result().get());
            }
        });
    }

    private static final String NO_SESSION = "no console session: run 'imprint console login' and open the link it prints";

    private static void authorize(RoutingContext ctx, MeterRegistry meters, ConsoleSessions.Session session) {
        HttpMethod m = ctx.request().method();
        if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
            String header = ctx.request().getHeader(CSRF_HEADER);
            if (header == null) {
                refuse(ctx, meters, 403, ConsoleSessions.Refusal.CONSOLE_CSRF_MISSING, "a changing call needs the " + CSRF_HEADER + " header");
                return;
            }
            if (!ConsoleSessions.csrfMatches(session, header)) {
                refuse(ctx, meters, 403, ConsoleSessions.Refusal.CONSOLE_CSRF_INVALID, "the " + CSRF_HEADER + " header does not match the session");
                return;
            }
        }
        ctx.put(SESSION, session);
        AdminRoutes.actAs(ctx, session.actor());
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.next();
    }

    private static void login(Vertx vertx, RoutingContext ctx, Services s, ConsoleSessions sessions) {
        ctx.response().putHeader("Referrer-Policy", "no-referrer").putHeader("Cache-Control", "no-store");
        String token = ctx.queryParams().get("token");
        vertx.executeBlocking(() -> sessions.redeem(token), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                loggedIn(vertx, ctx, s, sessions, ar.result());
            }
        });
    }

    private static void loggedIn(Vertx vertx, RoutingContext ctx, Services s, ConsoleSessions sessions, ConsoleSessions.Login login) {
        if (login.session() == null) {
            count(s.meters(), ctx, login.refusal(), "login link refused");
            html(ctx, 401, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Imprint console</title>"
                    + "<link rel=\"stylesheet\" href=\"/console/static/console.css\"></head><body><main><h1>Login refused</h1>"
                    + "<p id=\"refusal\" class=\"error\">" + login.refusal().name() + ": this link is unknown, already used or expired."
                    + " Run <code>imprint console login</code> for a new one.</p></main></body></html>");
            return;
        }
        ConsoleSessions.Session session = login.session();
        vertx.executeBlocking(() -> s.store().audit().append("console.login", session.actor(), "console",
                Responses.JSON.writeValueAsString(Map.of("sessionExpiresAt", session.expiresAt().toString()))), false).onComplete(ar -> {
            if (ar.failed()) {
                // no audit entry, no session: a login must not go unrecorded
                vertx.executeBlocking(() -> {
                    sessions.end(session.id());
                    return null;
                }, false);
                LOG.error("event=console.login.failed code=AUDIT_FAILED", ar.cause());
                Responses.error(ctx, 500, "INTERNAL_ERROR", "cannot record the login; see the server log");
                return;
            }
            LOG.info("event=console.login actor={} auditSeq={}", session.actor(), ar.result().seq());
            Cookie cookie = Cookie.cookie(COOKIE, session.id()).setPath("/").setSecure(true).setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setMaxAge(ConsoleSessions.SESSION_TTL.toSeconds());
            ctx.response().addCookie(cookie).putHeader("Location", "/");
            Responses.text(ctx, 303, "text/plain; charset=utf-8", "logged in; continue at /");
        });
    }

    /** Ends the session in the store (on every node at once), audits it, and clears the cookie. */
    private static void logout(Vertx vertx, RoutingContext ctx, ConsoleSessions sessions, Store store) {
        ConsoleSessions.Session session = ctx.get(SESSION);
        vertx.executeBlocking(() -> {
            sessions.end(session.id());
            return store.audit().append("console.logout", session.actor(), "console", "{}");
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            LOG.info("event=console.logout actor={} auditSeq={}", session.actor(), ar.result().seq());
            ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/").setSecure(true).setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setMaxAge(0));
            Responses.json(ctx, 200, Map.of("loggedOut", session.actor()));
        });
    }

    private static void refuse(RoutingContext ctx, MeterRegistry meters, int status, ConsoleSessions.Refusal code, String message) {
        count(meters, ctx, code, message);
        Responses.error(ctx, status, code.name(), message);
    }

    private static void count(MeterRegistry meters, RoutingContext ctx, ConsoleSessions.Refusal code, String message) {
        meters.counter("imprint.console.refusals", "code", code.name()).increment();
        LOG.info("event=console.refused method={} path={} code={} msg=\"{}\"", ctx.request().method(), LogSafe.token(ctx.normalizedPath()), code, LogSafe.of(message));
    }

    private static void blocking(Vertx vertx, RoutingContext ctx, java.util.concurrent.Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Responses.json(ctx, 200, ar.result());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    private static void html(RoutingContext ctx, int status, String body) {
        ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY").putHeader("Cache-Control", "no-store");
        Responses.text(ctx, status, "text/html; charset=utf-8", body);
    }

    private static void staticFile(Router r, String name, String type) {
        byte[] body = resource(name);
        r.get("/console/static/" + name).handler(ctx -> Responses.bytes(ctx, 200, type,
                Map.of("X-Content-Type-Options", "nosniff", "Cache-Control", "no-cache"), body));
    }

    /** A file of the console from the jar ({@code console/NAME}). */
    public static byte[] resource(String name) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
