package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The node inbox's queue: bounded; when full the bus thread waits (rows stay with the bus), nothing is dropped. */
class BoundedInboxTest {

    @Test
    void a_full_inbox_makes_the_caller_wait_for_room_and_drops_nothing() throws Exception {
        ExecutorService inbox = HubBackend.boundedInbox("test-inbox", 2);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        try {
            inbox.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            inbox.execute(() -> ran.add(1));
            inbox.execute(() -> ran.add(2));
            // the queue holds 2: a third waits in execute (the bus thread stops taking messages)
            CompletableFuture<Void> third = CompletableFuture.runAsync(() -> inbox.execute(() -> ran.add(3)));
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(third).isNotDone();
            release.countDown();
            third.get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 3);
            assertThat(ran).containsExactly(1, 2, 3);
        } finally {
            release.countDown();
            inbox.shutdownNow();
        }
    }

    @Test
    void a_closed_inbox_refuses_instead_of_waiting() {
        ExecutorService inbox = HubBackend.boundedInbox("test-inbox", 1);
        inbox.shutdown();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> inbox.execute(() -> { }))
                .isInstanceOf(RejectedExecutionException.class);
    }
}
