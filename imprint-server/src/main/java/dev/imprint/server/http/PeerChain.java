package dev.imprint.server.http;

import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** The TLS client's certificate chain of a request, leaf first; empty when it sent none. */
final class PeerChain {
    private PeerChain() {}

    static List<X509Certificate> of(RoutingContext ctx) {
        HttpConnection conn = ctx.request().connection();
        if (conn == null || !conn.isSsl()) {
            return List.of();
        }
        try {
            List<Certificate> certs = conn.peerCertificates();
            if (certs == null) {
                return List.of();
            }
            List<X509Certificate> out = new ArrayList<>(certs.size());
            for (Certificate c : certs) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }
}
