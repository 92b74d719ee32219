#!/usr/bin/env python3
"""N half-open TLS connections (5 bytes of a ClientHello, then silence) against a running
`imprint up`, spread over the listeners given; prints when the server closed them.

The 10,000 figure in docs/security-model.md (Abuse) came from:

  IMPRINT_CA_PASSPHRASE=x IMPRINT_PKI_ADDRESS=127.0.6.101 IMPRINT_PKI_PORT=18080 \
  IMPRINT_HTTPS_ADDRESS=127.0.6.101 IMPRINT_HTTPS_PORT=18443 IMPRINT_DPS_HTTPS_ADDRESS=127.0.6.101 \
  IMPRINT_DPS_HTTPS_PORT=19443 IMPRINT_DPS_MQTT_ADDRESS=127.0.6.102 IMPRINT_DPS_MQTT_PORT=18883 \
  IMPRINT_HUBS=hub-1=127.0.6.103:18883 IMPRINT_HUB_CONNECT_TIMEOUT_SECONDS=3 \
  java -Xmx1g -jar imprint-server/target/imprint.jar up --data /tmp/abuse-manual/data &
  python3 imprint-abuse/manual/halfopen.py 10000 127.0.6.101:18443 127.0.6.101:19443 127.0.6.102:18883 127.0.6.103:18883

Client and server are separate processes so each stays under `ulimit -n` (check it first).
"""
import selectors
import socket
import sys
import time

targets = [(h, int(p)) for h, p in (t.split(':') for t in sys.argv[2:])]
total = int(sys.argv[1])
source = '127.0.6.100'
sel = selectors.DefaultSelector()
opened = {}
start_all = time.monotonic()
for i in range(total):
    t = targets[i % len(targets)]
    s = socket.socket()
    s.bind((source, 0))
    s.connect(t)
    s.send(bytes([0x16, 3, 1, 2, 0]))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, (t, time.monotonic()))
    opened[s] = t
print(f"opened {total} in {time.monotonic() - start_all:.1f} s", flush=True)
closed = {t: [] for t in targets}
deadline = time.monotonic() + 60
while opened and time.monotonic() < deadline:
    for key, _ in sel.select(0.2):
        s = key.fileobj
        try:
            data = s.recv(4096)
        except OSError:
            data = b''
        if not data:
            t, t0 = key.data
            closed[t].append(time.monotonic() - t0)
            sel.unregister(s)
            s.close()
            del opened[s]
for t, d in closed.items():
    d.sort()
    if d:
        print(f"{t[0]}:{t[1]} closed {len(d)}: p50 {d[len(d) // 2]:.2f} s, max {d[-1]:.2f} s")
print(f"still open after 60 s: {len(opened)}")
for s in list(opened):
    s.close()
