package io.github.netatmotoken.core;

import java.time.Duration;

/** The contract, checked against the reference store, so that the contract's tests are known to be keepable. */
class InMemorySharedTokenStoreTest extends SharedTokenStoreContract {
    private static final java.util.Map<String, InMemorySharedTokenStore.Backend> BACKENDS =
            new java.util.concurrent.ConcurrentHashMap<>();
    private int processes;

    @Override
    protected SharedTokenStore open(String key, Duration leaseTtl) {
        return new InMemorySharedTokenStore(BACKENDS.computeIfAbsent(key, k -> new InMemorySharedTokenStore.Backend()),
                "process-" + (++processes), leaseTtl);
    }

    @Override
    protected void crash(SharedTokenStore store) {
        ((InMemorySharedTokenStore) store).crash();
    }
}
