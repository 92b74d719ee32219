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

/** POSTs batches of messages as a JSON array to a URL (5 s timeout); anything but 2xx is a failure. */
public final class WebhookWriter implements TelemetryWriter {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;

    public WebhookWriter(URI url) {
        this.url = url;
    }

    @Override
    public void write(List<TelemetryRecord> batch) throws IOException, InterruptedException {
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
