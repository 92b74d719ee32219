package dev.imprint.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutTest {
    @Test
    void default_layout_is_one_ca_admin_node_two_dps_and_two_per_hub() {
        Layout l = Layout.parse(Layout.DEFAULT);
        assertThat(l.groups()).extracting(Layout.Group::rolesText, Layout.Group::count).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ca,admin", 1), org.assertj.core.groups.Tuple.tuple("dps", 2),
                org.assertj.core.groups.Tuple.tuple("hub:hub-1", 2), org.assertj.core.groups.Tuple.tuple("hub:hub-2", 2));
        assertThat(l.hubs()).containsExactly("hub-1", "hub-2");
        assertThat(l.runsDps()).isTrue();
        assertThat(l.caGroup().label()).isEqualTo("ca-admin");
        assertThat(l).hasToString(Layout.DEFAULT);
    }

    @Test
    void spaces_and_empty_groups_are_tolerated_and_labels_name_the_hubs() {
        Layout l = Layout.parse(" ca, admin = 1 ; hub:east=3;; dps,hub:west=1 ");
        assertThat(l.groups()).extracting(Layout.Group::label).containsExactly("ca-admin", "east", "dps-west");
        assertThat(l.hubs()).containsExactly("east", "west");
        assertThat(Layout.parse(l.toString())).isEqualTo(l);
    }

    @Test
    void refuses_bad_syntax_counts_and_roles_each_with_its_reason() {
        assertThatThrownBy(() -> Layout.parse("ca,admin")).hasMessageContaining("is not ROLES=COUNT");
        assertThatThrownBy(() -> Layout.parse("ca=x")).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> Layout.parse("ca=0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Layout.parse("ca=1;mqtt=2")).hasMessageContaining("unknown role 'mqtt'");
        assertThatThrownBy(() -> Layout.parse("all=2")).hasMessageContaining("'all' is the single process");
        assertThatThrownBy(() -> Layout.parse("ca=1;admin=1")).hasMessageContaining("admin needs ca");
        assertThatThrownBy(() -> Layout.parse("dps=2")).hasMessageContaining("no group runs ca");
        assertThatThrownBy(() -> Layout.parse("ca=1;ca,dps=1")).hasMessageContaining("several groups run ca");
        assertThatThrownBy(() -> Layout.parse("ca=1;dps=1;dps=2")).hasMessageContaining("appear in two groups");
        assertThatThrownBy(() -> Layout.parse("ca=1;dps=250")).hasMessageContaining("at most 250");
    }

    @Test
    void only_a_lone_ca_node_needs_no_balancer() {
        assertThat(Layout.parse("ca,admin=1").balanced()).isFalse();
        assertThat(Layout.parse("ca,admin=1").loneCaNode()).isTrue();
        assertThat(Layout.parse("ca,admin=2").balanced()).isTrue();
        assertThat(Layout.parse("ca,dps=1").loneCaNode()).isFalse();
        assertThat(Layout.parse("ca=1;dps=1").balanced()).isTrue();
    }

    @Test
    void the_group_roles_parse_as_node_roles() {
        Layout.Group g = Layout.parse("ca,admin=1;dps,hub:hub-1=1").groups().get(1);
        assertThat(g.parsed().dps()).isTrue();
        assertThat(g.parsed().hubs()).isEqualTo(List.of("hub-1"));
    }
}
