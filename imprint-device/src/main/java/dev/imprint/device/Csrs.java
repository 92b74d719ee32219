package dev.imprint.device;

import dev.imprint.pki.CryptoProviders;
import java.io.IOException;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** The device's CSR: subject CN = device ID, SAN URI {@code urn:imprint:device:ID}, signed with the device key. */
public final class Csrs {
    public static final String DEVICE_URN = "urn:imprint:device:";

    private Csrs() {}

    /** DER PKCS#10. @throws IllegalStateException when signing fails */
    public static byte[] build(DeviceKey key, String deviceId) {
        try {
            var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, deviceId).build();
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, DEVICE_URN + deviceId)));
            JcaContentSignerBuilder b = new JcaContentSignerBuilder(DeviceKey.SIGNATURE);
            // a token key signs through whichever provider owns it (SunPKCS11)
            ContentSigner signer = (key.inMemory() ? b.setProvider(CryptoProviders.fast()) : b).build(key.privateKey());
            return new JcaPKCS10CertificationRequestBuilder(subject, key.publicKey())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(signer)
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot build the CSR for " + deviceId, e);
        }
    }
}
