package dev.imprint.pki.validation;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Step 2's search: depth-first over issuer candidates (anchors first, then the presented
 * intermediates), each complete path handed to {@link PathChecker}. Backtracks past a bad
 * candidate, so a valid path is found even when the presenter sent extra, expired or
 * cross-signed certificates. Depth and work are bounded so that hostile chains cannot hang it.
 */
final class PathBuilder {
    /** Signature checks and complete paths tried per validation before giving up. */
    static final int MAX_WORK = 256;
    /** Hard cap on path length whatever the depth setting (self-issued certificates do not count toward depth). */
    static final int MAX_PATH_CERTS = 40;

    private final AnchorSet anchors;
    private final SignatureCache signatures;
    private final PathChecker checker;

    PathBuilder(AnchorSet anchors, SignatureCache signatures, PathChecker checker) {
        this.anchors = anchors;
        this.signatures = signatures;
        this.checker = checker;
    }

    List<X509Certificate> build(List<X509Certificate> chain, ValidationRequest request, Instant at, int maxDepth) {
        Search s = new Search(chain, request, at, maxDepth);
        List<X509Certificate> path = new ArrayList<>();
        path.add(chain.get(0));
        List<X509Certificate> found = s.dfs(path, 0);
        if (found != null) {
            checkInheritedDsaSignatures(found);
            return found;
        }
        throw s.failure();
    }

    /** Re-verifies signatures made with parameter-less DSA keys using the parameters of the path actually built. */
    private void checkInheritedDsaSignatures(List<X509Certificate> path) {
        for (int i = 1; i < path.size(); i++) {
            if (DsaKeys.lacksParams(path.get(i).getPublicKey())
                    && !signatures.verify(path.get(i - 1), DsaKeys.effective(path, i), i - 1 > 0)) {
                throw Refusal.path(ReasonCode.BAD_SIGNATURE, "signature of " + CertificateValidator.describe(path.get(i - 1))
                        + " does not verify with its issuer's key (DSA parameters inherited along the path)");
            }
        }
    }

    private final class Search {
        private final Map<X500Principal, List<X509Certificate>> pool = new HashMap<>();
        private final ValidationRequest request;
        private final Instant at;
        private final int maxDepth;
        private int work;
        private Refusal pathFailure;
        private Refusal tooDeep;
        private Refusal badSignature;

        Search(List<X509Certificate> chain, ValidationRequest request, Instant at, int maxDepth) {
            this.request = request;
            this.at = at;
            this.maxDepth = maxDepth;
            Set<X509Certificate> distinct = new LinkedHashSet<>(chain.subList(1, chain.size()));
            for (X509Certificate c : distinct) {
                if (!c.equals(chain.get(0))) {
                    pool.computeIfAbsent(c.getSubjectX500Principal(), k -> new ArrayList<>()).add(c);
                }
            }
        }

        List<X509Certificate> dfs(List<X509Certificate> path, int depth) {
            X509Certificate cur = path.get(path.size() - 1);
            X500Principal issuer = cur.getIssuerX500Principal();
            boolean curIsCa = path.size() > 1;
            for (X509Certificate anchor : anchors.bySubject(issuer)) {
                spend();
                if (!signatures.verify(cur, keyOf(anchor), curIsCa)) {
                    noteBadSignature(cur);
                    continue;
                }
                List<X509Certificate> full = new ArrayList<>(path);
                full.add(anchor);
                spend();
                try {
                    checker.check(full, request, at);
                    return full;
                } catch (Refusal r) {
                    if (pathFailure == null) {
                        pathFailure = r;
                    }
                }
            }
            if (path.size() + 1 >= MAX_PATH_CERTS) {
                noteTooDeep(path);
                return null;
            }
            for (X509Certificate cand : pool.getOrDefault(issuer, List.of())) {
                if (inPath(path, cand)) {
                    continue;
                }
                int nextDepth = depth + (PathChecker.isSelfIssued(cand) ? 0 : 1);
                if (nextDepth > maxDepth) {
                    noteTooDeep(path);
                    continue;
                }
                spend();
                if (!signatures.verify(cur, keyOf(cand), curIsCa)) {
                    noteBadSignature(cur);
                    continue;
                }
                path.add(cand);
                List<X509Certificate> found = dfs(path, nextDepth);
                if (found != null) {
                    return found;
                }
                path.remove(path.size() - 1);
            }
            return null;
        }

        /**
         * The candidate's key; a DSA key without parameters borrows them from a certificate of
         * its issuer's name that signed it (checked again over the final path).
         */
        private PublicKey keyOf(X509Certificate cand) {
            PublicKey k = cand.getPublicKey();
            if (!DsaKeys.lacksParams(k)) {
                return k;
            }
            List<X509Certificate> issuers = new ArrayList<>(anchors.bySubject(cand.getIssuerX500Principal()));
            issuers.addAll(pool.getOrDefault(cand.getIssuerX500Principal(), List.of()));
            for (X509Certificate up : issuers) {
                PublicKey done = DsaKeys.inherit(k, up.getPublicKey());
                if (done != null && signatures.verify(cand, up.getPublicKey(), true)) {
                    return done;
                }
            }
            return k;
        }

        /** The same certificate, or the same subject and key (a loop through a cross-sign). */
        private boolean inPath(List<X509Certificate> path, X509Certificate cand) {
            for (X509Certificate p : path) {
                if (p.equals(cand) || (p.getSubjectX500Principal().equals(cand.getSubjectX500Principal())
                        && p.getPublicKey().equals(cand.getPublicKey()))) {
                    return true;
                }
            }
            return false;
        }

        private void spend() {
            if (++work > MAX_WORK) {
                throw Refusal.path(ReasonCode.PATH_BUILDING_LIMIT, "path building gave up after " + MAX_WORK + " steps");
            }
        }

        private void noteTooDeep(List<X509Certificate> path) {
            if (tooDeep == null) {
                tooDeep = Refusal.path(ReasonCode.CHAIN_TOO_DEEP, "chain longer than the allowed " + maxDepth
                        + " intermediates");
            }
        }

        private void noteBadSignature(X509Certificate cert) {
            if (badSignature == null) {
                badSignature = Refusal.path(ReasonCode.BAD_SIGNATURE, "signature of "
                        + CertificateValidator.describe(cert) + " does not verify with its issuer's key");
            }
        }

        Refusal failure() {
            if (pathFailure != null) {
                return pathFailure;
            }
            if (tooDeep != null) {
                return tooDeep;
            }
            if (badSignature != null) {
                return badSignature;
            }
            X509Certificate leaf = request.chain() != null ? request.chain().get(0) : null;
            return Refusal.path(ReasonCode.UNKNOWN_ISSUER, "no path to a trust anchor"
                    + (leaf == null ? "" : " from " + CertificateValidator.describe(leaf)));
        }
    }
}
