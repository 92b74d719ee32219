package dev.imprint.abuse;

import dev.imprint.testkit.SlowHttp;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the server's own Prometheus endpoint (/metrics on the HTTPS listener), as an operator's scraper would. */
final class Scrape {
    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    static Scrape of(LiveImprint live) {
        try (SlowHttp c = SlowHttp.connect(live.anonymous, live.https.getHostString(), live.https.getPort())) {
            return new Scrape(c.send("GET /metrics HTTP/1.1\r\nHost: imprint\r\n\r\n").read().body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot scrape /metrics: " + e, e);
        }
    }

    /** The sum of {@code name}'s samples whose labels contain every one of {@code labels} ({@code key="value"}); 0 when none. */
    double sum(String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} ([-+0-9.eE]+)$").matcher(text);
        double total = 0;
        while (m.find()) {
            String l = m.group(1);
            boolean all = true;
            for (String want : labels) {
                all &= l.contains(want);
            }
            if (all) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    /** A refusal counter: {@code imprint_https_refusals_total}, {@code imprint_mqtt_disconnects_total} ... by reason. */
    double reason(String counter, String reason) {
        return sum(counter, "reason=\"" + reason + "\"");
    }
}
