package io.github.netatmotoken.benchmarks;

import io.github.netatmotoken.core.Token;
import io.github.netatmotoken.core.TokenClient;
import java.net.URI;

/**
 * A token client for benchmarks whose token stays fresh: a call means the benchmark measures the wrong path, so
 * it fails loudly instead of skewing the numbers. Thread-safe.
 */
final class UnreachableTokenClient implements TokenClient {
    @Override
    public Token refresh(String refreshToken) {
        throw new AssertionError("the hot-path benchmark must never refresh; is the token fresh?");
    }

    @Override
    public Token exchangeCode(String code, URI redirectUri) {
        throw new AssertionError("the hot-path benchmark must never exchange a code");
    }
}
