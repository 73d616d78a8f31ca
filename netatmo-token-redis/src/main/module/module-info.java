/**
 * A NetAtmo token store in Redis on Jedis, for processes on several hosts that share one NetAtmo account. See
 * {@link io.github.netatmotoken.redis}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Jedis has only an Automatic-Module-Name
module io.github.netatmotoken.redis {
    requires transitive io.github.netatmotoken.core;
    requires transitive redis.clients.jedis;
    // Jedis, an automatic module, cannot say that it needs commons-pool2, a named one: without this line every
    // modular application would have to add --add-modules org.apache.commons.pool2 (see ModulePathIT).
    requires org.apache.commons.pool2;
    requires org.slf4j;
    requires static org.jspecify;

    exports io.github.netatmotoken.redis;
}
