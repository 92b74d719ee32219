package dev.imprint.server.up;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** aws.template: the template name that means the default enrollment; every other template name is an enrollment's own. */
class DpsThingProvisionerTest {
    @Test
    void the_configured_template_is_the_default_enrollment_and_other_names_are_enrollments() {
        DpsThingProvisioner byDefault = new DpsThingProvisioner(null, "default");
        assertThat(byDefault.enrollmentOf("default")).isEqualTo("default");
        assertThat(byDefault.enrollmentOf("line-2")).isEqualTo("line-2");
        DpsThingProvisioner fleet = new DpsThingProvisioner(null, "FleetTemplate");
        assertThat(fleet.enrollmentOf("FleetTemplate")).isEqualTo("default");
        // an enrollment named like the configured template's old meaning still answers by its own name
        assertThat(fleet.enrollmentOf("default")).isEqualTo("default");
        assertThat(fleet.enrollmentOf("fleettemplate")).isEqualTo("fleettemplate");
    }
}
