/**
 * NetAtmo tokens for OkHttp: an interceptor that attaches and renews them, and a token client over the
 * application's own {@code OkHttpClient}. See {@link io.github.netatmotoken.okhttp}.
 */
module io.github.netatmotoken.okhttp {
    requires transitive io.github.netatmotoken.core;
    requires transitive okhttp3;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.github.netatmotoken.okhttp;
}
