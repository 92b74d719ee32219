package dev.imprint.server.cli;

import dev.imprint.pki.validation.limbo.VerifyTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imprint verify}: runs the shared validator (the same five steps as the CA, DPS and hub)
 * on a chain, offline. Exit codes: 0 accepted, 1 refused, 2 bad input.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Validate a certificate chain offline with Imprint's validator (the five steps).",
                "Prints the verdict with its reason code; exit 0 accepted, 1 refused, 2 bad input."},
        subcommands = VerifyCommand.Limbo.class)
public final class VerifyCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--trust", paramLabel = "FILE", description = "Trust anchors (PEM or DER).")
    Path trust;

    @Option(names = "--chain", paramLabel = "FILE", description = "The chain, leaf first (PEM or DER).")
    Path chain;

    @Option(names = "--crl", paramLabel = "FILE", description = "CRL(s) to check revocation against (repeatable; issuers without one are not checked).")
    List<Path> crls;

    @Option(names = "--at", paramLabel = "TIME", description = "Validate at this ISO-8601 time instead of now.")
    String at;

    @Option(names = "--eku", paramLabel = "EKU", description = "Required extended key usage: clientAuth, serverAuth or an OID.")
    String eku;

    @Option(names = "--name", paramLabel = "KIND:VALUE", description = "Expected peer name: dns:HOST, ip:ADDR, rfc822:MAIL or uri:URI.")
    String name;

    @Option(names = "--json", description = "Print the verdict as JSON.")
    boolean json;

    @Override
    public Integer call() {
        // not "required" in picocli: that would also demand them for 'imprint verify limbo'
        if (trust == null || chain == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required options: --trust=FILE and --chain=FILE");
        }
        return VerifyTool.verify(new VerifyTool.Options(trust, chain, crls, at, eku, name, json), System.out, System.err);
    }

    @Command(name = "limbo", mixinStandardHelpOptions = true,
            description = "Run a x509-limbo test suite (JSON, or gzip) through the validator and write the harness results as JSON.")
    static final class Limbo implements Callable<Integer> {
        @Option(names = "--in", paramLabel = "FILE", description = "The suite (default: standard input).")
        Path in;

        @Option(names = "--out", paramLabel = "FILE", description = "Where to write the results (default: standard output).")
        Path out;

        @Override
        public Integer call() throws IOException {
            // standard streams are not ours to close
            InputStream i = in == null ? System.in : Files.newInputStream(in);
            OutputStream o = out == null ? System.out : Files.newOutputStream(out);
            try {
                int code = VerifyTool.limbo(i, o, System.err);
                o.flush();
                return code;
            } finally {
                if (in != null) {
                    i.close();
                }
                if (out != null) {
                    o.close();
                }
            }
        }
    }
}
