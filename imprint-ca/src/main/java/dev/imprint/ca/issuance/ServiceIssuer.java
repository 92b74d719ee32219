package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.Credential;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.store.CertificateRecord;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Credentials for Imprint's own parties from the service CA: stations and admins (clientAuth,
 * SAN URI {@code urn:imprint:station:NAME} / {@code urn:imprint:admin:NAME}) and endpoints
 * (serverAuth + clientAuth, SAN DNS and IP). The key (EC P-256) is generated here and handed
 * back as a plain JCA key; the certificate is recorded before it is returned.
 */
public final class ServiceIssuer {
    private static final Pattern DNS = Pattern.compile("(?=.{1,253}$)([A-Za-z0-9*]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private final IssuingCa ca;
    private final LeafCertificateBuilder clientBuilder;
    private final LeafCertificateBuilder serverBuilder;
    private final Recorder recorder;
    private final Duration validity;

    public ServiceIssuer(IssuingCa serviceCa, String pkiBaseUrl, Recorder recorder, Duration validity) {
        this.ca = serviceCa;
        this.clientBuilder = new LeafCertificateBuilder(serviceCa, pkiBaseUrl, KeyUsage.digitalSignature, KeyPurposeId.id_kp_clientAuth);
        this.serverBuilder = new LeafCertificateBuilder(serviceCa, pkiBaseUrl, KeyUsage.digitalSignature,
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        this.recorder = recorder;
        this.validity = validity;
    }

    public Credential station(String name, String actor) {
        return issue(clientBuilder, name, "station", actor, new GeneralNames(uri(DeviceIds.STATION_URN + name)));
    }

    public Credential admin(String name, String actor) {
        return issue(clientBuilder, name, "admin", actor, new GeneralNames(uri(DeviceIds.ADMIN_URN + name)));
    }

    public Credential operator(String name, String actor) {
        return issue(clientBuilder, name, "operator", actor, new GeneralNames(uri(DeviceIds.OPERATOR_URN + name)));
    }

    public Credential node(String name, String actor) {
        return issue(clientBuilder, name, "node", actor, new GeneralNames(uri(DeviceIds.NODE_URN + name)));
    }

    /** @throws CaException BAD_REQUEST for an invalid DNS name or IP address, or no names at all */
    public Credential server(String name, List<String> dnsNames, List<String> ips, String actor) {
        List<GeneralName> names = new ArrayList<>();
        for (String d : dnsNames) {
            if (!DNS.matcher(d).matches()) {
                throw new CaException(Reason.BAD_REQUEST, "not a DNS name: " + d);
            }
            names.add(new GeneralName(GeneralName.dNSName, d));
        }
        for (String ip : ips) {
            var m = IPV4.matcher(ip);
            boolean ok = m.matches() ? okV4(m) : ip.contains(":") && ip.matches("[0-9A-Fa-f:.]+");
            if (!ok) {
                throw new CaException(Reason.BAD_REQUEST, "not an IP address: " + ip);
            }
            try {
                names.add(new GeneralName(GeneralName.iPAddress, ip));
            } catch (IllegalArgumentException e) {
                throw new CaException(Reason.BAD_REQUEST, "not an IP address: " + ip);
            }
        }
        if (names.isEmpty()) {
            throw new CaException(Reason.BAD_REQUEST, "a server certificate needs at least one DNS name or IP address");
        }
        return issue(serverBuilder, name, "server", actor, new GeneralNames(names.toArray(new GeneralName[0])));
    }

    private Credential issue(LeafCertificateBuilder builder, String name, String kind, String actor, GeneralNames san) {
        if (!DeviceIds.validName(name)) {
            throw new CaException(Reason.BAD_REQUEST, "names are 1-64 of letters, digits, '.', '_', '-'");
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant notAfter = now.plus(validity);
            Instant caEnd = ca.certificate().getNotAfter().toInstant();
            if (notAfter.isAfter(caEnd)) {
                notAfter = caEnd;
            }
            BigInteger serial = Serials.random();
            byte[] der = builder.build(serial, now.minusSeconds(60), notAfter, LeafCertificateBuilder.commonName(name), san, spki);
            String fp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(kp.getPublic().getEncoded()));
            recorder.record(new CertificateRecord(Serials.hex(serial), ca.name(), name, kind, now.minusSeconds(60), notAfter,
                    fp, actor, Instant.now(), der, null, null)).join();
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(kp.getPrivate().getEncoded()));
            return new Credential(cert, key, ca.chain());
        } catch (CompletionException e) {
            throw e.getCause() instanceof CaException ce ? ce : new CaException(Reason.UNAVAILABLE, e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new CaException(Reason.INTERNAL_ERROR, "cannot issue " + kind + " certificate: " + e.getMessage(), e);
        }
    }

    private static boolean okV4(java.util.regex.Matcher m) {
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static GeneralName uri(String u) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, u);
    }
}
