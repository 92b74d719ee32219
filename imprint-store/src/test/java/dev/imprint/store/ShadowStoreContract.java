package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shadow rows' contract (migration V10), mixed into every dialect's store test. */
interface ShadowStoreContract {
    Instant T1 = Instant.parse("2030-01-01T00:00:01Z");

    Store shadowStore();

    /** A change that sets the reported section to {"n": version} (version + 1), or deletes when asked. */
    private static ShadowStore.Change<ShadowRecord> bump() {
        return (s, named) -> {
            ShadowRecord next = new ShadowRecord(s.deviceId(), s.name(), s.desired(), "{\"n\":" + (s.version() + 1) + "}", s.metadata(),
                    s.version() + 1, true, T1, s.desiredVersion(), s.reportedVersion() + (s.classic() ? 1 : 0));
            return new ShadowStore.Outcome<>(next, next);
        };
    }

    @Test
    default void shadows_named_and_classic_keep_versions_counts_and_share_the_twin_row() {
        ShadowStore shadows = shadowStore().shadows();
        assertThat(shadows.get("dev-s", "cfg")).isEqualTo(ShadowRecord.absent("dev-s", "cfg"));
        shadows.update("dev-s", "cfg", bump());
        ShadowRecord two = shadows.update("dev-s", "cfg", bump());
        assertThat(shadows.get("dev-s", "cfg")).isEqualTo(two);
        assertThat(two.version()).isEqualTo(2);
        assertThat(two.reported()).isEqualTo("{\"n\":2}");
        shadows.update("dev-s", "other", bump());
        assertThat(shadows.names("dev-s")).containsExactly("cfg", "other");
        ShadowRecord deleted = shadows.update("dev-s", "cfg", (s, named) -> {
            ShadowRecord d = new ShadowRecord(s.deviceId(), s.name(), "{}", "{}", "{}", s.version(), false, T1, 0, 0);
            return new ShadowStore.Outcome<>(d, d);
        });
        assertThat(shadows.get("dev-s", "cfg")).isEqualTo(deleted);
        assertThat(shadows.names("dev-s")).containsExactly("other");
        assertThat(shadows.update("dev-s", "cfg", bump()).version()).isEqualTo(3);

        // a change sees the count of named shadows and may write nothing
        shadows.update("dev-c", "a", bump());
        shadows.update("dev-c", "b", bump());
        shadows.update("dev-x", "a", bump());
        int seen = shadows.update("dev-c", "c", (s, named) -> new ShadowStore.Outcome<>(null, named.getAsInt()));
        assertThat(seen).isEqualTo(2);
        assertThat(shadows.get("dev-c", "c").exists()).isFalse();
        assertThat(shadows.names("dev-c")).containsExactly("a", "b");

        // the classic shadow is the twin row
        Store store = shadowStore();
        assertThat(store.shadows().get("dev-t", ShadowStore.CLASSIC).desiredVersion()).isEqualTo(1);
        store.twins().patchDesired("dev-t", "{\"rate\":5,\"cfg\":{\"a\":1}}");
        store.twins().patchReported("dev-t", "{\"fw\":\"1.0\"}");
        ShadowRecord s = store.shadows().get("dev-t", ShadowStore.CLASSIC);
        assertThat(s.exists()).isTrue();
        assertThat(s.version()).isEqualTo(2);
        assertThat(s.desired()).isEqualTo("{\"rate\":5,\"cfg\":{\"a\":1}}");
        assertThat(s.metadata()).contains("\"desired\":{\"rate\":{\"timestamp\":").contains("\"cfg\":{\"a\":{\"timestamp\":")
                .contains("\"reported\":{\"fw\":{\"timestamp\":");
        store.shadows().update("dev-t", ShadowStore.CLASSIC, bump());
        TwinRecord t = store.twins().get("dev-t");
        assertThat(t.reported()).isEqualTo("{\"n\":3}");
        assertThat(t.reportedVersion()).isEqualTo(3);
        assertThat(t.desiredVersion()).isEqualTo(2);
        assertThat(store.twins().patchDesired("dev-t", "{\"rate\":null}").desired()).isEqualTo("{\"cfg\":{\"a\":1}}");
        assertThat(store.shadows().get("dev-t", ShadowStore.CLASSIC).version()).isEqualTo(4);
        assertThat(store.shadows().get("dev-t", ShadowStore.CLASSIC).metadata()).doesNotContain("rate");
        assertThat(store.shadows().names("dev-t")).isEmpty();
    }

    @Test
    default void concurrent_updates_of_one_shadow_never_lose_one() throws Exception {
        ShadowStore shadows = shadowStore().shadows();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String name = i % 2 == 0 ? ShadowStore.CLASSIC : "race";
                all.add(pool.submit(() -> shadows.update("dev-r", name, bump())));
            }
            for (Future<?> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(shadows.get("dev-r", ShadowStore.CLASSIC).version()).isEqualTo(20);
        assertThat(shadows.get("dev-r", "race").version()).isEqualTo(20);
        assertThat(shadowStore().twins().get("dev-r").reportedVersion()).isEqualTo(21);
    }
}
