package io.mmedstream.kafka.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for TLS tests, made by the JDK's own {@code keytool} (no extra library): a broker key
 * pair for {@code CN=localhost} (SAN {@code localhost} and {@code 127.0.0.1}, so clients' host name verification
 * passes) and a client key pair, each certificate imported into the other side's trust store. Every store is PKCS12.
 *
 * @param brokerKeystore the broker's key pair
 * @param brokerTruststore the client's certificate, for a listener that requires client authentication
 * @param clientKeystore the client's key pair, for mutual TLS
 * @param clientTruststore the broker's certificate
 */
record TestCertificates(Store brokerKeystore, Store brokerTruststore, Store clientKeystore, Store clientTruststore) {

    /** A PKCS12 store and its password (which is also the password of its key, if any). */
    record Store(Path location, String password) {
    }

    private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    private static final long TIMEOUT_SECONDS = 60;

    /** Generates the key pairs and stores as files in {@code dir}; a failing {@code keytool} call throws its output. */
    static TestCertificates generate(Path dir) {
        Store brokerKeys = new Store(dir.resolve("broker-keystore.p12"), "broker-key-pass");
        Store brokerTrust = new Store(dir.resolve("broker-truststore.p12"), "broker-trust-pass");
        Store clientKeys = new Store(dir.resolve("client-keystore.p12"), "client-key-pass");
        Store clientTrust = new Store(dir.resolve("client-truststore.p12"), "client-trust-pass");
        keyPair(dir, brokerKeys, "broker", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        trust(dir, brokerKeys, "broker", clientTrust);
        keyPair(dir, clientKeys, "client", "CN=mmed-test-client", null);
        trust(dir, clientKeys, "client", brokerTrust);
        return new TestCertificates(brokerKeys, brokerTrust, clientKeys, clientTrust);
    }

    /** A new key pair with a self-signed certificate, valid for a day, under {@code alias}. */
    private static void keyPair(Path dir, Store store, String alias, String subject, String extension) {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-dname", subject,
                "-keyalg", "EC", "-keysize", "256", "-validity", "1", "-storetype", "PKCS12",
                "-keystore", store.location().toString(), "-storepass", store.password(),
                "-keypass", store.password()));
        if (extension != null) {
            args.addAll(List.of("-ext", extension));
        }
        keytool(dir, args);
    }

    /** Exports the certificate of {@code alias} to {@code dir/alias.crt} and imports it into {@code into}. */
    private static void trust(Path dir, Store from, String alias, Store into) {
        Path file = dir.resolve(alias + ".crt");
        keytool(dir, List.of("-exportcert", "-alias", alias, "-keystore", from.location().toString(),
                "-storetype", "PKCS12", "-storepass", from.password(), "-file", file.toString()));
        keytool(dir, List.of("-importcert", "-noprompt", "-alias", alias, "-file", file.toString(),
                "-storetype", "PKCS12", "-keystore", into.location().toString(), "-storepass", into.password()));
    }

    private static void keytool(Path dir, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(KEYTOOL);
        command.addAll(args);
        // output to a file, not a pipe: waiting with a time-out stays possible however keytool misbehaves
        Path log = dir.resolve("keytool.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = Files.readString(log);
            if (!finished) {
                throw new IllegalStateException("keytool " + args.get(0) + " did not finish in " + TIMEOUT_SECONDS
                        + " s (" + String.join(" ", command) + "):\n" + output);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args.get(0) + " failed with exit code "
                        + process.exitValue() + " (" + String.join(" ", command) + "):\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + KEYTOOL + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool " + args.get(0), e);
        }
    }
}
