package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.FileTokenStore;
import io.github.netatmotoken.core.Token;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Benchmark 4: {@link FileTokenStore#save} (temp file, fsync, rename, fsync of the directory) and
 * {@link FileTokenStore#load} (read and parse), as latency percentiles on the local disk.
 *
 * <p>{@link #plainWrite()} writes the same bytes with {@code Files.write}, neither atomic nor durable, to show what
 * atomicity and durability cost. The files live in a fresh directory under {@code dir} (the working directory by
 * default, because {@code /tmp} may be a RAM disk, where fsync costs nothing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(1)
public class TokenFileBenchmark {
    @Param(".")
    public String dir;

    private Path directory;
    private FileTokenStore store;
    private Path plainFile;
    private Token[] tokens;
    private byte[] plainBytes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory(Path.of(dir).toAbsolutePath(), "token-file-benchmark-");
        store = new FileTokenStore(directory.resolve("netatmo-token.json"));
        plainFile = directory.resolve("plain.json");
        Instant expiry = Instant.now().plus(Duration.ofHours(3));
        // Two tokens of NetAtmo's shape and length, saved in turn, so that every save really changes the file.
        tokens = new Token[] {
            new Token("5a1b2c3d4e5f6a7b8c9d0e1f|0123456789abcdef0123456789abcdef",
                    "5a1b2c3d4e5f6a7b8c9d0e1f|fedcba9876543210fedcba9876543210", expiry),
            new Token("5a1b2c3d4e5f6a7b8c9d0e1f|abcdef0123456789abcdef0123456789",
                    "5a1b2c3d4e5f6a7b8c9d0e1f|9876543210fedcba9876543210fedcba", expiry.plusSeconds(1)),
        };
        store.save(tokens[0]);
        plainBytes = Files.readString(store.file()).getBytes(StandardCharsets.UTF_8);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public void save() throws IOException {
        store.save(tokens[next++ & 1]);
    }

    @Benchmark
    public Optional<Token> load() throws IOException {
        return store.load();
    }

    @Benchmark
    public Path plainWrite() throws IOException {
        return Files.write(plainFile, plainBytes);
    }
}
