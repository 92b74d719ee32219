package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.util.List;

/** The outcome of validating a presented certificate: a value, never a boolean plus a side channel. */
public sealed interface Verdict {

    boolean accepted();

    /** Accepted: the identity found in step 4 and the path built in step 2 (leaf first, anchor last). */
    record Accepted(String identity, List<X509Certificate> path) implements Verdict {
        public Accepted {
            path = List.copyOf(path);
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /** Refused at {@code step} (1-5) with a stable reason code and a human-readable detail. */
    record Refused(Step step, ReasonCode reason, String detail) implements Verdict {
        @Override
        public boolean accepted() {
            return false;
        }
    }

    /** The seed's five validation steps. */
    enum Step {
        WELL_FORMED_AND_POSSESSION(1),
        PATH(2),
        REVOCATION(3),
        IDENTITY(4),
        AUTHORIZATION(5);

        private final int number;

        Step(int number) {
            this.number = number;
        }

        public int number() {
            return number;
        }
    }
}
