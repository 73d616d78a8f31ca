/**
 * Keeps NetAtmo API tokens alive: the token value, the token file, the refreshing token source and the OAuth2
 * client on {@code java.net.http}. See {@link io.github.netatmotoken.core}.
 */
@SuppressWarnings("module") // the qualified export names the okhttp module, which is compiled later
module io.github.netatmotoken.core {
    requires transitive java.net.http;
    requires com.fasterxml.jackson.core;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.github.netatmotoken.core;
    exports io.github.netatmotoken.core.internal to io.github.netatmotoken.okhttp;
}
