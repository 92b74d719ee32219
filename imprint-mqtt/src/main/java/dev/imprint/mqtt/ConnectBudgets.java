package dev.imprint.mqtt;

/**
 * The two CONNECT budgets of one server. {@code accepted} is keyed by the identity a valid
 * certificate proves (a device's reconnect loop, RATE_LIMITED beyond); {@code refused} is keyed
 * by source address and charged only by CONNECTs whose certificate was refused
 * (REFUSED_RATE_LIMITED beyond). Kept apart so that nobody without the device's key can spend
 * the device's budget.
 */
record ConnectBudgets(ClientIdRateLimiter accepted, ClientIdRateLimiter refused) {
    /** Refused attempts per source address per minute: enough for a misconfigured device to be heard, few for a flood. */
    static final int REFUSED_PER_SOURCE_PER_MINUTE = 60;

    static ConnectBudgets of(ConnectionLimits limits, int refusedPerSourcePerMinute) {
        return new ConnectBudgets(new ClientIdRateLimiter(limits.connectsPerClientIdPerMinute(), 100_000),
                new ClientIdRateLimiter(refusedPerSourcePerMinute, 100_000));
    }
}
