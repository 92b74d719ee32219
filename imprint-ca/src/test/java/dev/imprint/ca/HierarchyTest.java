package dev.imprint.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imprint.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HierarchyTest {
    @TempDir
    Path tmp;

    @Test
    void first_open_creates_the_hierarchy_and_second_open_reuses_it() throws Exception {
        X509Certificate root;
        X509Certificate mfg;
        try (CaFixture f = new CaFixture(tmp)) {
            root = f.ca.hierarchy().root();
            mfg = f.ca.hierarchy().issuer("manufacturing");
            assertThat(f.ca.hierarchy().names()).containsExactly("manufacturing", "operational", "service");
            assertThat(root.getBasicConstraints()).isEqualTo(1);
            assertThat(mfg.getBasicConstraints()).isZero();
            assertThat(mfg.getKeyUsage()[5]).isTrue(); // keyCertSign
            assertThat(mfg.getKeyUsage()[6]).isTrue(); // cRLSign
            mfg.verify(root.getPublicKey());
            assertThat(f.ca.hierarchy().chain("operational")).hasSize(2);
            assertThat(Pem.readCertificate(f.ca.hierarchy().rootFile())).isEqualTo(root);
        }
        try (CaFixture again = new CaFixture(tmp)) {
            assertThat(again.ca.hierarchy().root()).isEqualTo(root);
            assertThat(again.ca.hierarchy().issuer("manufacturing")).isEqualTo(mfg);
        }
        assertThatThrownBy(() -> new CaFixture(tmp).ca.hierarchy().issuer("nope"))
                .isInstanceOfSatisfying(CaException.class, e -> assertThat(e.code()).isEqualTo("UNKNOWN_CA"));
    }

    @Test
    void ca_keys_are_encrypted_and_private_to_the_owner() throws Exception {
        new CaFixture(tmp).close();
        Path pki = tmp.resolve("pki");
        for (String name : new String[] {"root", "manufacturing", "operational", "service"}) {
            Path key = pki.resolve(name + ".key");
            assertThat(Files.getPosixFilePermissions(key))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThat(Files.readString(key)).contains("BEGIN ENCRYPTED PRIVATE KEY");
            assertThatThrownBy(() -> Pem.readPrivateKey(key, null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Pem.readPrivateKey(key, "wrong".toCharArray())).isInstanceOf(IllegalArgumentException.class);
            assertThat(Pem.readPrivateKey(key, CaFixture.PASS)).isNotNull();
        }
    }

    @Test
    void wrong_passphrase_refuses_to_open() {
        new CaFixture(tmp).close();
        CaException e = catchThrowableOfType(() -> new CaFixture(tmp,
                CaSettings.defaults(tmp.resolve("pki"), "wrong".toCharArray(), "http://127.0.0.1:8080")), CaException.class);
        assertThat(e.code()).isEqualTo("CA_KEY_UNREADABLE");
        assertThat(Set.of(e.getMessage())).isNotEmpty();
    }

    @Test
    void issues_server_and_admin_credentials_from_the_service_ca() throws Exception {
        try (CaFixture f = new CaFixture(tmp)) {
            Credential server = f.ca.issueServerCertificate("est", java.util.List.of("localhost"), java.util.List.of("127.0.0.1", "::1"));
            assertThat(server.certificate().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
            assertThat(server.certificate().getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                    .contains("localhost", "127.0.0.1");
            server.certificate().verify(f.ca.hierarchy().issuer("service").getPublicKey());
            assertThat(server.key().getAlgorithm()).isEqualTo("EC");
            Credential admin = f.ca.issueAdminCredential("admin");
            assertThat(admin.certificate().getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                    .containsExactly("urn:imprint:admin:admin");
            assertThat(admin.fullChain()).hasSize(3);
            assertThatThrownBy(() -> f.ca.issueServerCertificate("x", java.util.List.of("bad name!"), java.util.List.of()))
                    .isInstanceOfSatisfying(CaException.class, e -> assertThat(e.code()).isEqualTo("BAD_REQUEST"));
        }
    }
}
