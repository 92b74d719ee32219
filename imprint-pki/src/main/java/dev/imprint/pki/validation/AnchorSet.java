package dev.imprint.pki.validation;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/** Trust anchors indexed by subject for path building. */
final class AnchorSet {
    private final Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();
    private final int size;

    AnchorSet(Collection<X509Certificate> anchors) {
        for (X509Certificate a : anchors) {
            bySubject.computeIfAbsent(a.getSubjectX500Principal(), k -> new ArrayList<>()).add(a);
        }
        this.size = anchors.size();
    }

    boolean isEmpty() {
        return size == 0;
    }

    List<X509Certificate> bySubject(X500Principal subject) {
        return bySubject.getOrDefault(subject, List.of());
    }

    /** True when {@code cert} is itself one of the anchors (same encoding). */
    boolean contains(X509Certificate cert) {
        for (X509Certificate a : bySubject(cert.getSubjectX500Principal())) {
            if (a.equals(cert)) {
                return true;
            }
        }
        return false;
    }
}
