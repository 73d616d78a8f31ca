package io.github.netatmotoken.core;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's many-process fault test on one token file: the processes of one host. The file's lock dies with its
 * holder, and a refused refresh cannot say who was refreshing (no intent record).
 */
class FileManyProcessesTest extends ManyProcessesContract {
    @TempDir
    static Path dir;

    private Path file;

    @Override
    protected Class<?> workerMain() {
        return FileManyProcessesWorker.class;
    }

    @Override
    protected List<String> workerArgs() {
        return List.of(file.toString());
    }

    @Override
    protected TokenStore personStore() throws Exception {
        file = dir.resolve("token.json");
        return new FileTokenStore(file);
    }

    @Override
    protected boolean explainsLostChains() {
        return false;
    }
}
