package dev.imprint.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterStateTest {
    @TempDir
    Path dir;

    @Test
    void cluster_json_round_trips() throws Exception {
        OwnProcess p = new OwnProcess(4242, 123456, List.of("java", "-jar", "imprint.jar", "up", "--data", dir.toString()));
        ClusterState s = new ClusterState("ca,admin=1;dps=1", List.of("java", "-jar", "imprint.jar", "up"),
                List.of(new ClusterState.Node("ca-admin-1", "ca,admin", "127.0.0.1", "127.0.1.1:8090",
                                Map.of("IMPRINT_CLUSTER_NODE", "ca-admin-1"), p, dir.resolve("logs/ca-admin-1.log").toString()),
                        new ClusterState.Node("dps-1", "dps", "127.0.1.2", "127.0.1.2:8090", Map.of(), null, "dps-1.log")),
                new OwnProcess(77, 1, List.of("/usr/sbin/haproxy", "-D")),
                new ClusterState.Postgres(dir.resolve("pg").toString(), "/usr/lib/postgresql/15/bin", 5433, "jdbc:postgresql://127.0.0.1:5433/imprint"),
                new ClusterState.Kafka("127.0.15.1:9092", dir.resolve("kafka").toString(), new OwnProcess(78, 2, List.of("java", "kafka.Kafka"))));
        assertThat(ClusterState.read(dir)).isNull();
        s.write(dir);
        assertThat(ClusterState.read(dir)).isEqualTo(s);
        ClusterState.delete(dir);
        assertThat(ClusterState.read(dir)).isNull();
    }

    @Test
    void a_recorded_process_is_ours_only_with_its_start_time_and_command() {
        ProcessHandle self = ProcessHandle.current();
        List<String> args = OwnProcess.cmdline(self.pid());
        OwnProcess me = OwnProcess.of(self.pid(), args);
        assertThat(me.alive()).isTrue();
        assertThat(new OwnProcess(self.pid(), me.startTicks() + 1, args).alive()).as("PID reused by another start").isFalse();
        assertThat(new OwnProcess(self.pid(), me.startTicks(), List.of("java", "other")).alive()).as("another command").isFalse();
        assertThat(new OwnProcess(self.pid(), me.startTicks(), List.of("java", "other")).kill()).isFalse();
    }

    @Test
    void haproxy_stats_give_each_nodes_states() {
        String csv = """
                # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
                hub-hub-1,FRONTEND,,,0,0,,0,0,0,0,0,0,,,,,OPEN,
                hub-hub-1,hub-1-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1
                hub-hub-1,hub-1-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1
                hub-hub-1,BACKEND,0,0,0,0,,0,0,0,0,0,,0,0,0,0,UP,1
                pki,ca-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1
                https,ca-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN 1/2,1
                """;
        assertThat(Haproxy.parseStats(csv)).containsExactly(Map.entry("hub-1-1", "UP"), Map.entry("hub-1-2", "DOWN"),
                Map.entry("ca-1", "DOWN,UP"));
        assertThat(Haproxy.parseStats("<html>")).isEmpty();
    }
}
