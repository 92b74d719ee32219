package dev.imprint.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Successful PUBACKs going out together, encoded straight into one buffer: four bytes each
 * (type 0x40, length 2, packet ID), the same bytes Netty's encoder writes for a PUBACK without
 * reason code, which MQTT 5 reads as Success (3.4.2.1). One buffer per flush instead of a
 * message, its headers and a buffer per PUBACK. Event loop only.
 */
final class PubAckRun {
    private static final int PUBACK = 0x40;

    private final Channel ch;
    private ByteBuf run;

    PubAckRun(Channel ch) {
        this.ch = ch;
    }

    void add(int packetId) {
        if (run == null) {
            run = ch.alloc().ioBuffer(64);
        }
        run.writeByte(PUBACK).writeByte(2).writeShort(packetId);
    }

    /** Writes what was added (not flushed); true when there was something. */
    boolean write() {
        if (run == null) {
            return false;
        }
        ch.write(run, ch.voidPromise());
        run = null;
        return true;
    }
}
