/**
 * What several Imprint nodes share beyond the store: the node table and its leases
 * ({@link dev.imprint.cluster.Membership}), messages between nodes ({@link dev.imprint.cluster.NodeBus}),
 * single-node jobs ({@link dev.imprint.cluster.Leadership}), service-wide rates each live node of
 * a role takes its share of ({@link dev.imprint.cluster.SharedRate}), and values read through for a
 * short lifetime, so that another node's change counts within it ({@link dev.imprint.cluster.ExpiringCache}).
 * One process ({@code imprint up}) uses the local implementations and opens nothing of this on the database.
 */
package dev.imprint.cluster;
