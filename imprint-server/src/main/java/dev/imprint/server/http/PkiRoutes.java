package dev.imprint.server.http;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaException;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import java.util.Map;

/**
 * The plain-HTTP PKI repository (RFC 5280 expects CRLs and CA certificates over HTTP, and
 * RFC 6960 OCSP over HTTP): {@code /ca/<ca>.crt} (DER; {@code root.crt} too),
 * {@code /crl/<ca>.crl}, {@code /crl/<ca>-delta.crl}, {@code /ocsp} (GET with the base64
 * request in the path, or POST {@code application/ocsp-request}) and {@code /health}.
 */
public final class PkiRoutes {
    private static final int MAX_OCSP_REQUEST = 16 * 1024;

    private PkiRoutes() {}

    public static Router router(Vertx vertx, Authority authority) {
        Router r = Router.router(vertx);
        r.get("/health").handler(ctx -> Responses.json(ctx, 200, Map.of("status", "UP")));
        r.get("/ca/:file").handler(ctx -> caCertificate(ctx, authority));
        r.get("/crl/:file").handler(ctx -> vertx.executeBlocking(() -> crl(ctx.pathParam("file"), authority), false)
                .onSuccess(der -> Responses.bytes(ctx, 200, "application/pkix-crl", Map.of(), der))
                .onFailure(e -> Http.fail(ctx, e)));
        r.post("/ocsp").handler(BodyHandler.create().setBodyLimit(MAX_OCSP_REQUEST));
        r.post("/ocsp").handler(ctx -> ocsp(vertx, ctx, authority, ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes()));
        r.getWithRegex("/ocsp/(?<req>.+)").handler(ctx -> {
            byte[] der;
            try {
                // decode the raw path ourselves: '+' is a base64 character here, not a space
                String raw = ctx.request().path().substring(ctx.request().path().indexOf("/ocsp/") + 6);
                String b64 = java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.US_ASCII)
                        .replace('-', '+').replace('_', '/');
                der = Base64.getMimeDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                der = new byte[0]; // the responder answers malformedRequest
            }
            ocsp(vertx, ctx, authority, der);
        });
        Http.jsonErrors(r);
        return r;
    }

    private static void ocsp(Vertx vertx, RoutingContext ctx, Authority authority, byte[] der) {
        vertx.executeBlocking(() -> authority.revocation().ocsp(der), false)
                .onSuccess(resp -> Responses.bytes(ctx, 200, "application/ocsp-response", Map.of(), resp))
                .onFailure(e -> Http.fail(ctx, e));
    }

    private static byte[] crl(String file, Authority authority) {
        if (file.endsWith("-delta.crl")) {
            return authority.revocation().deltaCrl(file.substring(0, file.length() - "-delta.crl".length()));
        }
        if (file.endsWith(".crl")) {
            return authority.revocation().crl(file.substring(0, file.length() - ".crl".length()));
        }
        throw new CaException(CaException.Reason.NOT_FOUND, "no such CRL: " + file);
    }

    private static void caCertificate(RoutingContext ctx, Authority authority) {
        String file = ctx.pathParam("file");
        String name = file.endsWith(".crt") ? file.substring(0, file.length() - 4) : file;
        try {
            var cert = "root".equals(name) ? authority.hierarchy().root() : authority.hierarchy().issuer(name);
            Responses.bytes(ctx, 200, "application/pkix-cert", Map.of(), cert.getEncoded());
        } catch (CaException e) {
            Http.fail(ctx, e.reason() == CaException.Reason.UNKNOWN_CA ? new CaException(CaException.Reason.NOT_FOUND, "no such CA: " + name) : e);
        } catch (CertificateEncodingException e) {
            Http.fail(ctx, e);
        }
    }
}
