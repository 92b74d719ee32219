package dev.imprint.server.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A stand-in node process for launcher tests that must not depend on the node itself: a real
 * process answering 200 on /health at {@code IMPRINT_CLUSTER_HEALTH} until it is signalled. With
 * {@code IMPRINT_CLUSTER_BIND} set it also listens there on each port given as an argument and
 * answers every connection with one line saying what PROXY v2 header arrived:
 * {@code node=NAME peer=IP proxied=SRC_IP:SRC_PORT}, or {@code node=NAME peer=IP no-proxy-header}.
 * Started by {@code cluster up --node-command 'java -cp ... StubNode 8883'}.
 */
public final class StubNode {
    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private StubNode() {}

    public static void main(String[] args) throws Exception {
        String node = System.getenv("IMPRINT_CLUSTER_NODE");
        String health = System.getenv("IMPRINT_CLUSTER_HEALTH");
        int colon = health.lastIndexOf(':');
        HttpServer http = HttpServer.create(new InetSocketAddress(health.substring(0, colon), Integer.parseInt(health.substring(colon + 1))), 16);
        byte[] body = ("{\"status\":\"UP\",\"node\":\"" + node + "\"}").getBytes(StandardCharsets.UTF_8);
        http.createContext("/health", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        String bind = System.getenv("IMPRINT_CLUSTER_BIND");
        if (bind != null) {
            for (String port : args) {
                ServerSocket server = new ServerSocket(Integer.parseInt(port), 50, InetAddress.getByName(bind));
                Thread t = new Thread(() -> serve(server, node), "stub-" + port);
                t.setDaemon(true);
                t.start();
            }
        }
        System.out.println("stub node " + node + " roles " + System.getenv("IMPRINT_CLUSTER_ROLES") + " health " + health + " bind " + bind);
        Thread.currentThread().join(); // until SIGTERM or SIGKILL
    }

    private static void serve(ServerSocket server, String node) {
        while (true) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                String line = "node=" + node + " peer=" + s.getInetAddress().getHostAddress() + " " + proxyHeader(new DataInputStream(s.getInputStream()));
                out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the next connection
            }
        }
    }

    /** Reads a PROXY v2 header (TCP over IPv4) and says what it carried. */
    private static String proxyHeader(DataInputStream in) throws IOException {
        byte[] head = new byte[16];
        in.readFully(head);
        if (!Arrays.equals(Arrays.copyOf(head, 12), SIGNATURE) || head[12] != 0x21 || head[13] != 0x11) {
            return "no-proxy-header";
        }
        byte[] rest = new byte[((head[14] & 0xff) << 8) | (head[15] & 0xff)];
        in.readFully(rest);
        String src = (rest[0] & 0xff) + "." + (rest[1] & 0xff) + "." + (rest[2] & 0xff) + "." + (rest[3] & 0xff);
        int srcPort = ((rest[8] & 0xff) << 8) | (rest[9] & 0xff);
        return "proxied=" + src + ":" + srcPort;
    }
}
