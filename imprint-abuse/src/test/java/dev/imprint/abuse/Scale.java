package dev.imprint.abuse;

/** How hard the abuse runs: {@code -Dabuse.scale=N} multiplies every count (1 in {@code mvn verify}, bigger by hand). */
final class Scale {
    private Scale() {}

    static int of(int base) {
        String s = System.getProperty("abuse.scale", "1");
        double f = s.isBlank() ? 1 : Double.parseDouble(s);
        return (int) Math.max(1, Math.round(base * f));
    }
}
