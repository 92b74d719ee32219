package dev.imprint.mqtt;

import io.netty.channel.Channel;

/**
 * Why reading from one connection is paused: its inbound window is full, its client does not
 * read what we send (the channel is unwritable), or it publishes faster than its rate. Reading
 * resumes only when no reason is left, so one reason ending never undoes another. Event loop only.
 */
final class ReadGate {
    static final int INBOUND_WINDOW = 1;
    static final int UNWRITABLE = 2;
    static final int PUBLISH_RATE = 4;

    /** Reasons that also hold back packets already read (see {@link #holds}). */
    static final int HOLDING = UNWRITABLE | PUBLISH_RATE;

    private final Channel ch;
    private final Runnable released;
    private int paused;

    /** @param released run when the last holding reason ends: the packets held meanwhile are handled */
    ReadGate(Channel ch, Runnable released) {
        this.ch = ch;
        this.released = released;
    }

    void pause(int why) {
        paused |= why;
        ch.config().setAutoRead(false);
    }

    void resume(int why) {
        boolean held = holds();
        paused &= ~why;
        if (held && !holds()) {
            released.run();
        }
        if (paused == 0 && ch.isActive() && !ch.config().isAutoRead()) {
            ch.config().setAutoRead(true);
        }
    }

    /**
     * Whether packets read now must wait rather than be handled: pausing reading stops new reads,
     * not the rest of the batch already read (one TLS record holds hundreds of small packets, each
     * of which could make us write; a twin GET makes us write kilobytes).
     */
    boolean holds() {
        return (paused & HOLDING) != 0;
    }

    boolean isPaused(int why) {
        return (paused & why) != 0;
    }
}
