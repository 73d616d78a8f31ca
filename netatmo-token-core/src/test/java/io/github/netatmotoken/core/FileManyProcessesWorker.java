package io.github.netatmotoken.core;

import java.nio.file.Path;
import java.util.Arrays;

/** A child of {@link FileManyProcessesTest}: {@code <token file> <worker arguments>}. */
public final class FileManyProcessesWorker {
    private FileManyProcessesWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        ManyProcessesWorker.run(Arrays.copyOfRange(args, 1, args.length), holder -> new FileTokenStore(file));
    }
}
