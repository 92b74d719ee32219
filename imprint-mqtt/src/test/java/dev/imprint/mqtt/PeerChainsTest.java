package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.testkit.TestPki;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerChainsTest {
    private final TestPki pki = TestPki.create();

    @Test
    void copies_the_chain_from_its_encoding_and_shares_intermediates() throws Exception {
        PeerChains chains = new PeerChains();
        TestPki.Issued a = pki.device("dev-a");
        TestPki.Issued b = pki.device("dev-b");
        Certificate[] first = {a.cert(), pki.intermediate()};
        List<X509Certificate> one = chains.detach(first);
        List<X509Certificate> two = chains.detach(new Certificate[] {b.cert(), pki.intermediate()});

        // (the JDK's certificate factory may hand back its own cached instance for known bytes: what
        // matters is that nothing parsed is hung on the TLS session's certificate objects)
        assertThat(one).hasSize(2);
        assertThat(one.get(0).getEncoded()).isEqualTo(a.cert().getEncoded());
        assertThat(one.get(1)).isEqualTo(pki.intermediate());
        assertThat(two.get(0).getEncoded()).isEqualTo(b.cert().getEncoded());
        assertThat(two.get(1)).isSameAs(one.get(1));
    }

    @Test
    void no_certificates_give_an_empty_chain() {
        assertThat(new PeerChains().detach(new Certificate[0])).isEmpty();
    }

    @Test
    void skips_certificates_that_are_not_x509() {
        Certificate garbage = new Certificate("X.509") {
            @Override public byte[] getEncoded() { return new byte[] {0x30, 0x03, 0x01, 0x02, 0x03}; }
            @Override public void verify(PublicKey key) { }
            @Override public void verify(PublicKey key, String sigProvider) { }
            @Override public String toString() { return "garbage"; }
            @Override public PublicKey getPublicKey() { return null; }
        };
        // not an X509Certificate: skipped, so the chain is empty (the handler refuses it as MALFORMED)
        assertThat(new PeerChains().detach(new Certificate[] {garbage})).isEmpty();
    }
}
