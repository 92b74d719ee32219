package dev.imprint.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Hubs in the {@code hubs} table. */
final class JdbcHubStore implements HubStore {
    private static final String COLUMNS = "name, hostname, mqtt, region, weight, created_at";

    private final Db db;

    JdbcHubStore(Db db) {
        this.db = db;
    }

    @Override
    public void add(HubRecord h) {
        try {
            db.update("adding hub " + h.name(), "INSERT INTO hubs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)",
                    h.name(), h.hostname(), h.mqtt(), h.region(), h.weight(), h.createdAt().toEpochMilli());
        } catch (Db.DuplicateKeyException e) {
            throw new StoreException("a hub named " + h.name() + " exists", e.getCause());
        }
    }

    @Override
    public boolean update(HubRecord h) {
        return db.update("updating hub " + h.name(), "UPDATE hubs SET hostname = ?, mqtt = ?, region = ?, weight = ? WHERE name = ?",
                h.hostname(), h.mqtt(), h.region(), h.weight(), h.name()) == 1;
    }

    @Override
    public Optional<HubRecord> find(String name) {
        List<HubRecord> found = query("finding hub " + name, " WHERE name = ?", name);
        return found.stream().findFirst();
    }

    @Override
    public List<HubRecord> list() {
        return query("listing hubs", " ORDER BY name");
    }

    @Override
    public boolean remove(String name) {
        return db.update("removing hub " + name, "DELETE FROM hubs WHERE name = ?", name) == 1;
    }

    private List<HubRecord> query(String what, String where, Object... args) {
        return db.list(what, "SELECT " + COLUMNS + " FROM hubs" + where, JdbcHubStore::read, args);
    }

    private static HubRecord read(ResultSet rs) throws SQLException {
        return new HubRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                Instant.ofEpochMilli(rs.getLong(6)));
    }
}
