/**
 * A NetAtmo token store in Redis on Jedis, so that processes on several hosts share one NetAtmo account and its
 * rotating refresh token; Lua scripts make each compare-and-set one atomic step on the server.
 *
 * <p>Everything is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.netatmotoken.redis;

import org.jspecify.annotations.NullMarked;
