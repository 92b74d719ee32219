package dev.imprint.device.cloud;

import io.netty.handler.codec.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * DPS over HTTPS on one connection: {@code PUT /{idScope}/registrations/{id}/register} and
 * {@code GET .../operations/{operationId}}, api-version {@value DpsClient#API_VERSION}.
 */
final class HttpsDpsExchange implements DpsExchange {
    private final HttpsConnection conn;
    private final String base;
    private final Duration timeout;

    private HttpsDpsExchange(HttpsConnection conn, String base, Duration timeout) {
        this.conn = conn;
        this.base = base;
        this.timeout = timeout;
    }

    static CompletableFuture<DpsExchange> open(DeviceRuntime rt, CloudConfig config, Identity identity, String registrationId,
            Duration timeout) {
        String base = "/" + enc(config.idScope()) + "/registrations/" + enc(registrationId);
        return HttpsConnection.open(rt, config.dps(), Tls.client(identity, config.trust()), timeout)
                .thenApply(c -> new HttpsDpsExchange(c, base, timeout));
    }

    @Override
    public CompletableFuture<Answer> register(byte[] jsonBody) {
        return answer(conn.send(HttpMethod.PUT, base + "/register?api-version=" + DpsClient.API_VERSION,
                "application/json; charset=utf-8", jsonBody, timeout));
    }

    @Override
    public CompletableFuture<Answer> status(String operationId) {
        return answer(conn.send(HttpMethod.GET, base + "/operations/" + enc(operationId) + "?api-version=" + DpsClient.API_VERSION,
                null, null, timeout));
    }

    private static CompletableFuture<Answer> answer(CompletableFuture<HttpsConnection.Response> r) {
        return r.thenApply(x -> new Answer(x.status(), x.body(), x.retryAfter()));
    }

    @Override
    public void close() {
        conn.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
