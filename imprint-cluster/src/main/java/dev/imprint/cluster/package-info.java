/**
 * What several Imprint nodes share beyond the store: the node table and its leases
 * ({@link dev.imprint.cluster.Membership}), messages between nodes ({@link dev.imprint.cluster.NodeBus}),
 * single-node jobs ({@link dev.imprint.cluster.Leadership}), and service-wide rates each live node of
 * a role takes its share of ({@link dev.imprint.cluster.SharedRate}). One process ({@code imprint up})
 * uses the local implementations and opens nothing of this on the database.
 */
package dev.imprint.cluster;
