package dev.imprint.dps.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.store.HubRecord;
import java.util.Objects;

/** An allocation decision, as a value: a hub (with optional state and payload), or a refusal. */
public sealed interface Allocation {

    static Allocation to(HubRecord hub) {
        return new Assigned(hub, null, null, null);
    }

    static Allocation refused(String reason, String message) {
        return new Refused(reason, message);
    }

    /**
     * @param tags initial tags that replace the enrollment's, or null to keep them
     * @param desired initial desired properties that replace the enrollment's, or null
     * @param payload JSON returned to the device (an object), or null
     */
    record Assigned(HubRecord hub, ObjectNode tags, ObjectNode desired, JsonNode payload) implements Allocation {
        public Assigned {
            Objects.requireNonNull(hub, "hub");
        }
    }

    /** @param reason a {@code DpsReason} name (NO_HUB, WEBHOOK_REFUSED, WEBHOOK_FAILED) */
    record Refused(String reason, String message) implements Allocation {
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
