package dev.imprint.kafka;

import dev.imprint.cluster.BusHandlers;
import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.NodeMessage;
import dev.imprint.cluster.PgBus;
import dev.imprint.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node bus on Kafka. A message is a record in the receiver's inbox topic
 * ({@code <inboxPrefix><node>}, key = sender, so order per sender holds however many partitions
 * the topic has), the message's fields in headers and its body as the value; a doorbell is a
 * record in one doorbell topic every node reads (key = ringing node, value = the doorbell's name).
 *
 * <p>Like {@link PgBus}, a node reads only what was sent after it started: a restarted node
 * skips what waited in its inbox (PgBus's membership deletes a previous run's rows; here the
 * consumer starts at the end of the topic), so no consumer group is needed and no offsets are
 * committed. While it runs, the position only moves forward past records handed to the bus
 * thread, and the consumer resumes from it after a broker outage: nothing sent to a live node
 * is lost. Messages wait in the topic until {@link #onMessage} sets a handler (the inbox is
 * paused until then). Every doorbell handler also runs every {@code doorbellBackstop} (5 s),
 * as with PgBus. Messages to a dead node stay in its topic, unread, until retention drops them.
 *
 * <p>Messages to this node itself skip Kafka.
 */
public final class KafkaBus implements NodeBus {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBus.class);
    public static final String DEFAULT_INBOX_PREFIX = "imprint.node.";
    public static final String DEFAULT_DOORBELL_TOPIC = "imprint.doorbells";
    /** How long a send waits for Kafka's acknowledgement (and start for the topics) before it fails. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    /** After a failed poll: Kafka's client reconnects on its own, this only keeps a broken loop from spinning. */
    private static final Duration POLL_BACKOFF = Duration.ofSeconds(1);
    private static final String TYPE = "imprint-type";
    private static final String DEVICE = "imprint-device";
    private static final String EPOCH = "imprint-epoch";
    private static final String CORRELATION = "imprint-correlation";

    /**
     * Where the bus's records go.
     *
     * @param inboxPrefix a node's inbox is this prefix and the node's name
     * @param doorbells the topic every node reads doorbells from
     */
    public record Topics(String inboxPrefix, String doorbells) {
        public static final Topics DEFAULT = new Topics(DEFAULT_INBOX_PREFIX, DEFAULT_DOORBELL_TOPIC);

        public Topics {
            Objects.requireNonNull(inboxPrefix, "inboxPrefix");
            Objects.requireNonNull(doorbells, "doorbells");
        }

        public String inbox(String node) {
            return inboxPrefix + node;
        }
    }

    private final String self;
    private final Topics topics;
    private final ScheduledThreadPoolExecutor thread;
    private final Thread poller;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final List<TopicPartition> inbox;
    private final BusHandlers handlers;
    private volatile boolean closed;

    /** A bus with the default doorbell backstop (5 s). */
    public static KafkaBus start(String self, String bootstrap, Topics topics) {
        return start(self, bootstrap, topics, PgBus.DOORBELL_BACKSTOP);
    }

    /**
     * Creates this node's inbox topic and the doorbell topic if they do not exist (one partition
     * each), and reads both from their current end: everything sent once this returns is delivered.
     *
     * @throws StoreException when Kafka cannot be reached within {@link #SEND_TIMEOUT}
     */
    public static KafkaBus start(String self, String bootstrap, Topics topics, Duration doorbellBackstop) {
        createTopics(bootstrap, List.of(topics.inbox(self), topics.doorbells()));
        return new KafkaBus(self, bootstrap, topics, doorbellBackstop);
    }

    private KafkaBus(String self, String bootstrap, Topics topics, Duration doorbellBackstop) {
        this.self = Objects.requireNonNull(self, "self");
        this.topics = topics;
        this.producer = producer(bootstrap, "imprint-bus-" + self);
        this.consumer = consumer(bootstrap, "imprint-bus-" + self);
        try {
            this.inbox = partitions(topics.inbox(self));
            List<TopicPartition> all = new ArrayList<>(inbox);
            all.addAll(partitions(topics.doorbells()));
            consumer.assign(all);
            consumer.seekToEnd(all);
            // resolve the end now: a lazy seek would skip what is sent between start and the first poll
            all.forEach(tp -> consumer.position(tp, SEND_TIMEOUT));
            consumer.pause(inbox);
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            producer.close(Duration.ZERO);
            throw new StoreException("node bus: Kafka at " + bootstrap + " unusable: " + e.getMessage(), e);
        }
        this.thread = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "imprint-bus-" + self));
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.handlers = new BusHandlers(self, thread);
        thread.scheduleWithFixedDelay(handlers::ringAllHere, doorbellBackstop.toMillis(), doorbellBackstop.toMillis(), TimeUnit.MILLISECONDS);
        this.poller = daemon(this::pollLoop, "imprint-bus-poll-" + self);
        poller.start();
    }

    @Override
    public String self() {
        return self;
    }

    /**
     * {@inheritDoc}
     *
     * @throws StoreException when Kafka did not acknowledge the record within {@link #SEND_TIMEOUT}
     *     (the caller may retry)
     */
    @Override
    public void send(String node, NodeMessage message) {
        if (self.equals(node)) {
            handlers.deliver(message);
            return;
        }
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.inbox(node), message.from(), message.body());
        Headers h = r.headers();
        h.add(TYPE, utf8(message.type()));
        h.add(DEVICE, utf8(message.deviceId()));
        h.add(EPOCH, utf8(Long.toString(message.epoch())));
        h.add(CORRELATION, utf8(message.correlation()));
        try {
            producer.send(r).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("node bus: interrupted sending " + message.type() + " to " + node, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StoreException("node bus: " + message.type() + " to " + node + " not written to Kafka: " + cause, cause);
        }
    }

    @Override
    public void onMessage(Consumer<NodeMessage> handler) {
        handlers.onMessage(handler);
    }

    @Override
    public void ring(String doorbell) {
        handlers.ringHere(doorbell);
        try {
            producer.send(new ProducerRecord<>(topics.doorbells(), self, utf8(doorbell)), (md, e) -> {
                if (e != null) {
                    // the others' backstop runs their handlers anyway
                    LOG.warn("event=bus.ring_failed node={} doorbell={} msg=\"{}\"", self, doorbell, e.toString());
                }
            });
        } catch (KafkaException e) {
            LOG.warn("event=bus.ring_failed node={} doorbell={} msg=\"{}\"", self, doorbell, e.toString());
        }
    }

    @Override
    public void onDoorbell(String doorbell, Runnable handler) {
        handlers.onDoorbell(doorbell, handler);
    }

    // poll thread: the only user of the consumer after the constructor
    private void pollLoop() {
        boolean paused = true;
        while (!closed) {
            try {
                if (paused && handlers.hasHandler()) {
                    consumer.resume(inbox);
                    paused = false;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (r.topic().equals(topics.doorbells())) {
                        if (!self.equals(r.key()) && r.value() != null) {
                            handlers.ringHere(new String(r.value(), StandardCharsets.UTF_8));  // our own rang here already
                        }
                    } else {
                        NodeMessage m = decode(r);
                        if (m != null) {
                            handlers.deliver(m);
                        }
                    }
                }
            } catch (WakeupException e) {
                return;  // close
            } catch (KafkaException e) {
                LOG.warn("event=bus.poll_failed node={} msg=\"{}\"", self, e.toString());
                try {
                    Thread.sleep(POLL_BACKOFF.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Null (logged) for a record that is not a node message: bad input in a topic others can write to. */
    private NodeMessage decode(ConsumerRecord<String, byte[]> r) {
        try {
            return new NodeMessage(header(r, TYPE), Objects.requireNonNull(r.key(), "key"), header(r, DEVICE),
                    Long.parseLong(header(r, EPOCH)), header(r, CORRELATION), r.value());
        } catch (RuntimeException e) {
            LOG.warn("event=bus.undecodable node={} topic={} offset={} msg=\"{}\"", self, r.topic(), r.offset(), e.toString());
            return null;
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        if (h == null || h.value() == null) {
            throw new IllegalArgumentException("no " + name + " header");
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            poller.join(SEND_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ZERO);
        producer.close(Duration.ofSeconds(2));
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The topic's partitions, waiting (bounded) for a topic created a moment ago to show in the metadata. */
    private List<TopicPartition> partitions(String topic) {
        long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
        List<org.apache.kafka.common.PartitionInfo> parts = consumer.partitionsFor(topic, SEND_TIMEOUT);
        while (parts.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("topic " + topic + " has no partitions");
            }
            try {
                Thread.sleep(100);  // each partitionsFor asks a broker afresh
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted waiting for topic " + topic);
            }
            parts = consumer.partitionsFor(topic, SEND_TIMEOUT);
        }
        return parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static void createTopics(String bootstrap, List<String> names) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("client.id", "imprint-bus-admin");
        c.put("request.timeout.ms", (int) SEND_TIMEOUT.toMillis() / 2);
        c.put("default.api.timeout.ms", (int) SEND_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(c)) {
            // one partition: a node's inbox is read by that node alone; replication as the broker's default
            List<NewTopic> topics = names.stream().map(n -> new NewTopic(n, java.util.Optional.of(1), java.util.Optional.empty())).toList();
            admin.createTopics(topics).values().values().forEach(f -> {
                try {
                    f.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StoreException("node bus: cannot create its topics on Kafka at " + bootstrap + ": " + e.getCause(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new StoreException("node bus: Kafka at " + bootstrap + " did not answer within " + SEND_TIMEOUT, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("node bus: interrupted creating topics", e);
                }
            });
        } catch (KafkaException e) {
            throw new StoreException("node bus: Kafka at " + bootstrap + " unusable: " + e.getMessage(), e);
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("client.id", clientId);
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        p.put("linger.ms", 0);  // one message at a time, waited for: batching would only add latency
        p.put("request.timeout.ms", (int) SEND_TIMEOUT.toMillis() / 2);
        p.put("delivery.timeout.ms", (int) SEND_TIMEOUT.toMillis());
        p.put("max.block.ms", (int) SEND_TIMEOUT.toMillis());
        p.put("reconnect.backoff.max.ms", 1_000);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("client.id", clientId);
        c.put("enable.auto.commit", false);
        c.put("auto.offset.reset", "latest");
        c.put("reconnect.backoff.max.ms", 1_000);
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
