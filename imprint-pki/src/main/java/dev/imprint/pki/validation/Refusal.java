package dev.imprint.pki.validation;

/** Internal short-circuit out of a step; becomes a {@link Verdict.Refused}. No stack trace: it is a value. */
final class Refusal extends RuntimeException {
    final Verdict.Step step;
    final ReasonCode code;

    Refusal(Verdict.Step step, ReasonCode code, String detail) {
        super(detail, null, false, false);
        this.step = step;
        this.code = code;
    }

    static Refusal path(ReasonCode code, String detail) {
        return new Refusal(Verdict.Step.PATH, code, detail);
    }

    Verdict.Refused toVerdict() {
        return new Verdict.Refused(step, code, getMessage());
    }
}
