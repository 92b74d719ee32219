/**
 * The certificate authority. {@link dev.imprint.ca.Authority} is the central type.
 *
 * <h2>Hierarchy and files</h2>
 * Under the PKI folder: {@code root.crt} (EC P-384, 30 years, pathLen 1), {@code manufacturing.crt},
 * {@code operational.crt}, {@code service.crt} (EC P-256, 25 years, pathLen 0, keyCertSign and
 * cRLSign), each key beside it as {@code <name>.key} (encrypted PKCS#8, AES-256-CBC with PBKDF2
 * HMAC-SHA256, mode 0600) unless the keys live in a PKCS#11 token; full CRLs over 1 MiB in
 * {@code crl/<ca>.crl}.
 *
 * <h2>Device certificate profile</h2>
 * Only the CSR's public key (EC P-256/P-384, Ed25519, RSA 2048-8192) and its device ID are used.
 * The device ID is the CSR's subject CN and/or a SAN URI {@code urn:imprint:device:<ID>}; it is
 * 1-128 of {@code [A-Za-z0-9._:@+=-]}, starting with a letter or digit. The certificate has
 * subject {@code CN=<ID>}, SAN URI {@code urn:imprint:device:<ID>}, basicConstraints cA=false
 * (critical), key usage digitalSignature (critical), EKU clientAuth, SKI, AKI, CRL distribution
 * point {@code <pki>/crl/<ca>.crl}, freshest CRL {@code <pki>/crl/<ca>-delta.crl}, AIA OCSP
 * {@code <pki>/ocsp} and caIssuers {@code <pki>/ca/<ca>.crt}, a serial of 159 random bits,
 * notBefore one minute back, notAfter from the settings (clamped to the issuing CA's).
 * Stations carry {@code urn:imprint:station:<NAME>}, admins {@code urn:imprint:admin:<NAME>}.
 *
 * <h2>Issuance</h2>
 * An enrollment method (station, re-enrollment, admin) returns its
 * {@link dev.imprint.ca.issuance.IssuanceRule rules}; the
 * {@link dev.imprint.ca.issuance.IssuancePipeline pipeline} runs CSR checks, template, modify,
 * validate, reserve, then signs and hands the record to the group-commit
 * {@link dev.imprint.ca.issuance.Recorder recorder}; the certificate is returned only after the
 * batch that carries it is committed. Every refusal is a {@link dev.imprint.ca.CaException}
 * with a stable reason code and HTTP status, and nothing is issued.
 */
package dev.imprint.ca;
