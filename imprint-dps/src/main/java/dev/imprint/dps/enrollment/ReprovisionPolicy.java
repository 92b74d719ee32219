package dev.imprint.dps.enrollment;

import java.util.Arrays;

/** What happens when a device that is already registered registers again (Azure's names). */
public enum ReprovisionPolicy {
    /** Allocate again; if the hub changes, the device's state moves with it ({@code deviceDataMigrated}). */
    REPROVISION_AND_MIGRATE("reprovisionAndMigrate"),
    /** Allocate again; the device's state is reset to the enrollment's initial state ({@code deviceDataReset}). */
    REPROVISION_AND_RESET("reprovisionAndReset"),
    /** Keep the device on its hub with its state. */
    NEVER("never");

    private final String wire;

    ReprovisionPolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @throws IllegalArgumentException for an unknown name (the list of valid ones in the message) */
    public static ReprovisionPolicy of(String name) {
        for (ReprovisionPolicy p : values()) {
            if (p.wire.equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown reprovisioning policy '" + name + "' (one of "
                + Arrays.stream(values()).map(ReprovisionPolicy::wire).toList() + ")");
    }
}
