package io.mmedstream.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The local stack's broker process: starts an {@link EmbeddedBroker}, creates the pipeline topics, prints
 * {@code kafka: HOST:PORT} and, with {@code --ready-file}, writes that address to the file once it can be used.
 * Runs until the process is stopped (SIGTERM stops the broker cleanly).
 *
 * <p>With {@code --data-dir} topics, records and consumer offsets survive a restart (the local stack keeps them under
 * {@code $MMED_HOME/kafka}, so shard storage and committed offsets stay consistent); without it the broker's data is
 * temporary.
 *
 * <pre>java -cp ... io.mmedstream.kafka.BrokerMain [--port 9092] [--partitions 3] [--ready-file PATH] [--data-dir DIR]</pre>
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 9092;
        int partitions = TopicLayout.configuredPartitions();
        Path readyFile = null;
        Path dataDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--ready-file" -> readyFile = Path.of(args[++i]);
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: BrokerMain [--port N] [--partitions N] [--ready-file PATH] [--data-dir DIR]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        if (dataDir != null) {
            Files.createDirectories(dataDir);
        }
        EmbeddedBroker broker = EmbeddedBroker.start(port, dataDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        TopicLayout.create(broker.bootstrapServers(), partitions);
        System.out.println("kafka: " + broker.bootstrapServers());
        System.out.flush();
        if (readyFile != null) {
            Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.writeString(tmp, broker.bootstrapServers() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, readyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        stopped.await();
    }
}
