package dev.imprint.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.Authority;
import dev.imprint.ca.CaException;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.Pem;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What a CA node answers other nodes of its cluster, under {@value #BASE}, behind mutual TLS
 * with the node credential ({@code urn:imprint:node:NAME}, {@link AdminAuth#nodes}):
 * {@code POST /operational-certificates} issues a DPS registration's operational certificate
 * from {@code {"certificate": PEM of the device's attested certificate, "csr": base64 DER}}, as a
 * re-enrollment, so the CA's own rules apply (same identity, current certificate unrevoked).
 * Answers the chain as PEM, or the CA's refusal {@code {"code","message"}} with its status.
 */
public final class NodeRoutes {
    public static final String BASE = "/internal/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeRoutes() {}

    public static void mount(Router r, Vertx vertx, Authority authority, AdminAuth nodes, MeterRegistry meters) {
        r.route(BASE + "/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
        r.route(BASE + "/*").handler(ctx -> AdminRoutes.authenticate(vertx, ctx, nodes, meters));
        r.post(BASE + "/operational-certificates").handler(ctx -> vertx.executeBlocking(() -> issue(ctx, authority), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        Responses.text(ctx, 200, "application/pem-certificate-chain", ar.result());
                    } else {
                        Http.fail(ctx, ar.cause());
                    }
                }));
    }

    private static String issue(RoutingContext ctx, Authority authority) throws Exception {
        JsonNode body;
        X509Certificate current;
        byte[] csr;
        try {
            body = JSON.readTree(ctx.body().asString());
            current = Pem.readCertificates(body.path("certificate").asText()).get(0);
            csr = Base64.getDecoder().decode(body.path("csr").asText());
        } catch (Exception e) {
            throw new CaException(CaException.Reason.BAD_REQUEST, "expected {\"certificate\": PEM, \"csr\": base64 DER}");
        }
        IssuedCertificate c = authority.issue(IssuanceRequest.reenroll(current, csr));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(c.certificate());
        chain.addAll(c.chain());
        return Pem.write(chain.toArray());
    }
}
