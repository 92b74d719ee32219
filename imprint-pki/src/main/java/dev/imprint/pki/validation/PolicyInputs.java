package dev.imprint.pki.validation;

import java.util.Set;

/**
 * The RFC 5280 section 6.1.1 user inputs for certificate policy processing. The default
 * ({@link #ANY}) accepts any policy and requires none, which is what device identity needs.
 */
public record PolicyInputs(Set<String> initialPolicies, boolean explicitPolicy,
                           boolean policyMappingInhibit, boolean anyPolicyInhibit) {
    public static final String ANY_POLICY = "2.5.29.32.0";
    public static final PolicyInputs ANY = new PolicyInputs(Set.of(ANY_POLICY), false, false, false);

    public PolicyInputs {
        initialPolicies = Set.copyOf(initialPolicies);
    }

    /** True when these inputs cannot make a path fail by themselves. */
    public boolean isDefault() {
        return !explicitPolicy && !policyMappingInhibit && !anyPolicyInhibit
                && initialPolicies.contains(ANY_POLICY);
    }
}
