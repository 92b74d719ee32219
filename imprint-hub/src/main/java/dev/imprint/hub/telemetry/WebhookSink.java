package dev.imprint.hub.telemetry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.imprint.store.TelemetryRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * POSTs batches of messages as a JSON array to a URL (5 s timeout). A batch the endpoint does
 * not accept with 2xx is dropped and counted: devices are never held back by a webhook.
 */
public final class WebhookSink extends QueuedSink {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;

    private WebhookSink(URI url, int capacity) {
        super("webhook", capacity);
        this.url = url;
    }

    public static WebhookSink start(URI url, int capacity) {
        WebhookSink s = new WebhookSink(url, capacity);
        s.start();
        return s;
    }

    @Override
    void write(List<TelemetryRecord> batch) throws IOException, InterruptedException {
        ArrayNode a = JsonLines.JSON.createArrayNode();
        batch.forEach(r -> a.add(JsonLines.toJson(r)));
        HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonLines.JSON.writeValueAsBytes(a))).build(),
                HttpResponse.BodyHandlers.discarding());
        if (resp.statusCode() / 100 != 2) {
            throw new IOException("webhook answered HTTP " + resp.statusCode());
        }
    }
}
