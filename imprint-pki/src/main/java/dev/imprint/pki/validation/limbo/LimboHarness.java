package dev.imprint.pki.validation.limbo;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * Runs an x509-limbo suite (JSON, or gzip-compressed JSON, detected by magic bytes) through
 * {@link dev.imprint.pki.validation.CertificateValidator} and writes the upstream harness
 * result format: {@code {"version":1,"harness":"imprint","results":[{"id","actual_result",
 * "context"}]}}. This is the code path of {@code imprint verify limbo}.
 */
public final class LimboHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One test case's outcome; {@code expected} is carried for the conformance test. */
    public record Result(String id, String actual, String expected, String context, String validationKind,
                         List<String> features) {}

    private LimboHarness() {}

    /** Reads a suite from {@code in}, writes the harness results to {@code out}. */
    public static void run(InputStream in, OutputStream out) throws IOException {
        write(evaluate(in), out);
    }

    /**
     * Evaluates every test case of a suite, in suite order.
     * @throws IOException when the input is not a limbo suite
     */
    public static List<Result> evaluate(InputStream in) throws IOException {
        JsonNode root = JSON.readTree(maybeGunzip(in));
        JsonNode cases = root.path("testcases");
        if (!cases.isArray()) {
            throw new IOException("not an x509-limbo suite: no testcases array");
        }
        List<JsonNode> list = new ArrayList<>();
        cases.forEach(list::add);
        return IntStream.range(0, list.size()).parallel()
                .mapToObj(i -> LimboCase.evaluate(list.get(i)))
                .toList();
    }

    public static void write(List<Result> results, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("version", 1);
            g.writeStringField("harness", "imprint");
            g.writeArrayFieldStart("results");
            for (Result r : results) {
                g.writeStartObject();
                g.writeStringField("id", r.id());
                g.writeStringField("actual_result", r.actual());
                g.writeStringField("context", r.context());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(2);
        int m1 = b.read();
        int m2 = b.read();
        b.reset();
        return (m1 == 0x1f && m2 == 0x8b) ? new GZIPInputStream(b, 1 << 16) : b;
    }
}
