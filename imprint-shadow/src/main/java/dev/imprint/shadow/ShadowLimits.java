package dev.imprint.shadow;

/**
 * The sizes a shadow may reach. AWS's defaults: 8 KiB per desired and per reported section
 * (metadata not counted; AWS raises it to 30 KiB only on request), nesting depth 6, client
 * token 64 bytes. Ours beside them: the request payload and the named shadows per thing.
 *
 * @param maxStateBytes largest desired or reported section after a merge, as compact UTF-8 JSON
 * @param maxDepth deepest nesting of objects and arrays inside desired or reported ({"a":1} is 1)
 * @param maxRequestBytes largest request payload
 * @param maxNamedShadows named shadows one thing may have (deleted ones not counted)
 */
public record ShadowLimits(int maxStateBytes, int maxDepth, int maxRequestBytes, int maxNamedShadows) {
    public static final int MAX_CLIENT_TOKEN_BYTES = 64;
    public static final int MAX_THING_NAME_BYTES = 128;

    public static ShadowLimits defaults() {
        return new ShadowLimits(8 * 1024, 6, 128 * 1024, 25);
    }

    public ShadowLimits {
        if (maxStateBytes < 2 || maxDepth < 1 || maxRequestBytes < 2 || maxNamedShadows < 0) {
            throw new IllegalArgumentException("shadow limits must be positive: " + maxStateBytes + ", " + maxDepth + ", "
                    + maxRequestBytes + ", " + maxNamedShadows);
        }
    }
}
